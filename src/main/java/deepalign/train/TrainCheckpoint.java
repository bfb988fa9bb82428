package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.data.Jsonl;
import deepalign.model.RawTensor;
import deepalign.model.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resumable training state in DIR/ckpt: the trainable weights (full model or LoRA adapters) and the
 * AdamW moments as safetensors, and state.json (step, epoch, run config). The batch order is a function
 * of (seed, step) (see {@link MixedBatches}), so the step count is the whole data position.
 *
 * <p>Written to DIR/ckpt.tmp first; then the old DIR/ckpt is moved to DIR/ckpt.old, ckpt.tmp renamed to
 * ckpt, and ckpt.old deleted. A crash at any point leaves a complete checkpoint in ckpt or ckpt.old.
 */
public final class TrainCheckpoint {
    public static final String DIR = "ckpt";

    /** A loaded checkpoint. {@code config} is the JSON the run saved. */
    public record Loaded(long step, int epoch, Map<String, float[]> weights, Map<String, float[]> firstMoments,
                         Map<String, float[]> secondMoments, JsonNode config) {}

    private TrainCheckpoint() {}

    public static boolean exists(Path out) {
        return Files.isRegularFile(out.resolve(DIR).resolve("state.json")) || Files.isRegularFile(out.resolve(DIR + ".old").resolve("state.json"));
    }

    public static void save(Path out, Map<String, NDArray> weights, AdamW opt, long step, int epoch, Object config) {
        Path tmp = out.resolve(DIR + ".tmp");
        Path dir = out.resolve(DIR);
        Path old = out.resolve(DIR + ".old");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            SafeTensors.write(tmp.resolve("weights.safetensors"), tensors("", weights), null);
            List<RawTensor> moments = new ArrayList<>(tensors("m.", opt.firstMoments()));
            moments.addAll(tensors("v.", opt.secondMoments()));
            SafeTensors.write(tmp.resolve("adam.safetensors"), moments, null);
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("step", step);
            state.put("adam_step", opt.stepCount());
            state.put("epoch", epoch);
            state.put("config", config);
            Files.writeString(tmp.resolve("state.json"), Jsonl.toJson(state) + "\n");
            if (Files.exists(dir)) {
                deleteTree(old);
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new DeepalignException("cannot write the checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    public static Loaded load(Path out) {
        Path dir = out.resolve(DIR);
        if (!Files.isRegularFile(dir.resolve("state.json"))) dir = out.resolve(DIR + ".old"); // crash between the renames
        if (!Files.isRegularFile(dir.resolve("state.json"))) {
            throw new DeepalignException(out + " holds no checkpoint (" + out.resolve(DIR).resolve("state.json") + " is missing)");
        }
        JsonNode state = Jsonl.readJson(dir.resolve("state.json"));
        Map<String, float[]> w = new LinkedHashMap<>();
        SafeTensors.readAll(dir.resolve("weights.safetensors")).forEach((k, t) -> w.put(k, t.toFloats()));
        Map<String, float[]> m = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        SafeTensors.readAll(dir.resolve("adam.safetensors")).forEach((k, t) -> (k.startsWith("m.") ? m : v).put(k.substring(2), t.toFloats()));
        return new Loaded(state.get("step").asLong(), state.get("epoch").asInt(), w, m, v, state.get("config"));
    }

    /** Copies saved values into {@code params} (same names and sizes), before they require gradients. */
    public static void restore(Map<String, NDArray> params, Map<String, float[]> saved, Path out) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            float[] v = saved.get(e.getKey());
            if (v == null || v.length != e.getValue().size()) {
                throw new DeepalignException("the checkpoint in " + out + " does not match this model: tensor " + e.getKey()
                        + (v == null ? " is missing" : " has " + v.length + " values, expected " + e.getValue().size()));
            }
            e.getValue().set(v);
        }
    }

    private static List<RawTensor> tensors(String prefix, Map<String, NDArray> arrays) {
        List<RawTensor> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            float[] data = e.getValue().toType(DataType.FLOAT32, false).toFloatArray();
            out.add(RawTensor.ofFloats(prefix + e.getKey(), e.getValue().getShape().getShape(), data, RawTensor.DType.F32));
        }
        return out;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
