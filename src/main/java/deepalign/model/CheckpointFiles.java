package deepalign.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Hugging Face model directory: config.json plus safetensors weights, either one
 * {@code model.safetensors} or shards listed in {@code model.safetensors.index.json}.
 * Opening reads only headers; tensors are memory-mapped one at a time when asked for.
 */
public final class CheckpointFiles {

    public static final String CONFIG = "config.json";
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    private static final Pattern SHARD = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");

    private final Path dir;
    private final Map<String, SafeTensors> byTensor; // sorted by tensor name

    private CheckpointFiles(Path dir, Map<String, SafeTensors> byTensor) {
        this.dir = dir;
        this.byTensor = Collections.unmodifiableMap(byTensor);
    }

    public static CheckpointFiles open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DeepalignException(dir + " is not a directory; a Hugging Face model directory needs "
                    + "config.json, *.safetensors and tokenizer.json.");
        }
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new DeepalignException(dir + " has no config.json; a Hugging Face model directory needs "
                    + "config.json, *.safetensors and tokenizer.json.");
        }
        Map<String, SafeTensors> byTensor = new TreeMap<>();
        if (Files.isRegularFile(dir.resolve(SINGLE))) {
            addAll(byTensor, SafeTensors.open(dir.resolve(SINGLE)));
        } else if (Files.isRegularFile(dir.resolve(INDEX))) {
            readIndex(dir, byTensor);
        } else {
            List<Path> found = list(dir, n -> n.endsWith(".safetensors"));
            if (found.size() == 1) {
                addAll(byTensor, SafeTensors.open(found.get(0)));
            } else if (found.size() > 1) {
                throw new DeepalignException(dir + " has several *.safetensors files " + names(found)
                        + " but no " + INDEX + " saying which tensor is in which file.");
            } else {
                List<Path> pickles = list(dir, n -> n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth"));
                if (!pickles.isEmpty()) {
                    throw new DeepalignException(dir + " has only pickle checkpoints " + names(pickles)
                            + "; pickle checkpoints can execute arbitrary code when loaded, so deepalign refuses them"
                            + "; convert them to safetensors, e.g. with Hugging Face "
                            + "save_pretrained(..., safe_serialization=True).");
                }
                throw new DeepalignException(dir + " has no *.safetensors weights; a Hugging Face model directory "
                        + "needs config.json, *.safetensors and tokenizer.json.");
            }
        }
        return new CheckpointFiles(dir, byTensor);
    }

    private static void addAll(Map<String, SafeTensors> byTensor, SafeTensors file) {
        for (String name : file.entries().keySet()) {
            byTensor.put(name, file);
        }
    }

    /** Reads weight_map, checking that every shard is a file inside the model directory. */
    private static void readIndex(Path dir, Map<String, SafeTensors> byTensor) {
        Path index = dir.resolve(INDEX);
        JsonNode root;
        try {
            if (Files.size(index) > SafeTensors.MAX_HEADER_BYTES) {
                throw new DeepalignException(index + " is larger than 100 MB, too large for a shard index.");
            }
            root = SafeTensors.JSON.readTree(Files.readAllBytes(index));
        } catch (JsonProcessingException e) {
            throw new DeepalignException(index + " is not valid JSON (line " + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage() + ").", e);
        } catch (IOException e) {
            throw new DeepalignException("cannot read " + index + ": " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new DeepalignException(index + " has no weight_map object.");
        }
        Path realDir = realPath(dir);
        Map<String, SafeTensors> shards = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            String tensor = e.getKey();
            if (!e.getValue().isTextual()) {
                throw new DeepalignException(index + " maps tensor " + tensor + " to " + e.getValue()
                        + ", not a file name.");
            }
            String shardName = e.getValue().asText();
            SafeTensors shard = shards.get(shardName);
            if (shard == null) {
                shard = SafeTensors.open(resolveShard(dir, realDir, index, tensor, shardName));
                shards.put(shardName, shard);
            }
            if (!shard.entries().containsKey(tensor)) {
                throw new DeepalignException(index + " maps tensor " + tensor + " to " + shardName
                        + ", but that file has no such tensor.");
            }
            byTensor.put(tensor, shard);
        }
    }

    private static Path resolveShard(Path dir, Path realDir, Path index, String tensor, String shardName) {
        String where = index + " maps tensor " + tensor + " to " + shardName;
        // reject before touching the file system: absolute paths (Unix, Windows drive or UNC) and ".."
        if (shardName.isEmpty() || shardName.startsWith("/") || shardName.startsWith("\\")
                || shardName.matches("^[A-Za-z]:.*") || Path.of(shardName).isAbsolute()) {
            throw new DeepalignException(where + ", an absolute path; shard files must lie inside the model directory.");
        }
        for (String part : shardName.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw new DeepalignException(where + ", which leaves the model directory via '..'.");
            }
        }
        Path shard;
        try {
            shard = dir.resolve(shardName);
        } catch (InvalidPathException e) {
            throw new DeepalignException(where + ", which is not a valid file name.", e);
        }
        if (!Files.isRegularFile(shard)) {
            throw new DeepalignException(where + ", which does not exist in " + dir + ".");
        }
        Path real = realPath(shard);
        if (!real.startsWith(realDir) && !real.startsWith(hubBlobs(realDir))) {
            throw new DeepalignException(where + ", which resolves to " + real + " outside the model directory.");
        }
        return shard;
    }

    /**
     * In a Hugging Face hub cache, {@code models--org--name/snapshots/REV/} holds symlinks into
     * {@code models--org--name/blobs/}; those links are the cache's own layout, not an escape.
     */
    private static Path hubBlobs(Path realDir) {
        Path parent = realDir.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("snapshots")
                && parent.getParent() != null) {
            return parent.getParent().resolve("blobs");
        }
        return realDir; // no cache layout: only the directory itself is allowed
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new DeepalignException("cannot resolve " + p + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> list(Path dir, Predicate<String> nameTest) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return !n.startsWith(".") && nameTest.test(n) && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            throw new DeepalignException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList().toString();
    }

    // --- reading ---

    public Path dir() {
        return dir;
    }

    public ModelConfig loadConfig() {
        return ModelConfig.load(dir.resolve(CONFIG));
    }

    /** All tensor names, sorted. */
    public Set<String> tensorNames() {
        return byTensor.keySet();
    }

    /** The safetensors file holding {@code name}. */
    public Path fileOf(String name) {
        return shard(name).file();
    }

    /** The shape from the header, without mapping any data. */
    public long[] shapeOf(String name) {
        return shard(name).entries().get(name).shape();
    }

    public RawTensor tensor(String name) {
        return shard(name).tensor(name);
    }

    /** Visits every tensor in name order, mapping one at a time, so nothing is held twice. */
    public void forEach(Consumer<RawTensor> visitor) {
        for (Map.Entry<String, SafeTensors> e : byTensor.entrySet()) {
            visitor.accept(e.getValue().tensor(e.getKey()));
        }
    }

    /** Every tensor, sorted by name (memory-mapped: costs address space, not heap). */
    public Map<String, RawTensor> readAll() {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        forEach(t -> out.put(t.name(), t));
        return out;
    }

    private SafeTensors shard(String name) {
        SafeTensors s = byTensor.get(name);
        if (s == null) {
            throw new DeepalignException("the checkpoint in " + dir + " has no tensor named " + name + ".");
        }
        return s;
    }

    // --- the expected layout (transformers' LlamaForCausalLM / Qwen2ForCausalLM / MistralForCausalLM) ---

    public static List<String> expectedTensorNames(ModelConfig c) {
        return List.copyOf(expectedShapes(c).keySet());
    }

    /** HF Linear weights are [out_features, in_features]. */
    public static long[] expectedShape(ModelConfig c, String name) {
        long[] shape = expectedShapes(c).get(name);
        if (shape == null) {
            throw new DeepalignException("tensor " + name + " is not part of a " + c.architecture().hfName()
                    + " with " + c.numLayers() + " layers.");
        }
        return shape.clone();
    }

    private static Map<String, long[]> expectedShapes(ModelConfig c) {
        Map<String, long[]> out = new LinkedHashMap<>();
        long h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), i = c.intermediateSize(), v = c.vocabSize();
        out.put("model.embed_tokens.weight", new long[]{v, h});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            out.put(p + "self_attn.q_proj.weight", new long[]{q, h});
            out.put(p + "self_attn.k_proj.weight", new long[]{kv, h});
            out.put(p + "self_attn.v_proj.weight", new long[]{kv, h});
            out.put(p + "self_attn.o_proj.weight", new long[]{h, q});
            if (c.hasQkvBias()) {
                out.put(p + "self_attn.q_proj.bias", new long[]{q});
                out.put(p + "self_attn.k_proj.bias", new long[]{kv});
                out.put(p + "self_attn.v_proj.bias", new long[]{kv});
            }
            if (c.hasOProjBias()) {
                out.put(p + "self_attn.o_proj.bias", new long[]{h});
            }
            out.put(p + "mlp.gate_proj.weight", new long[]{i, h});
            out.put(p + "mlp.up_proj.weight", new long[]{i, h});
            out.put(p + "mlp.down_proj.weight", new long[]{h, i});
            out.put(p + "input_layernorm.weight", new long[]{h});
            out.put(p + "post_attention_layernorm.weight", new long[]{h});
        }
        out.put("model.norm.weight", new long[]{h});
        if (!c.tieWordEmbeddings()) {
            out.put("lm_head.weight", new long[]{v, h});
        }
        return out;
    }

    /**
     * Checks that the checkpoint holds exactly the tensors {@code config} implies, with their shapes.
     * Tolerated extras, as transformers tolerates them: old rotary_emb.inv_freq buffers, and an
     * lm_head.weight of the right shape in a tied model (the tie overrides it).
     */
    public void validate(ModelConfig config) {
        Map<String, long[]> expected = expectedShapes(config);
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!byTensor.containsKey(name)) {
                missing.add(name);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : byTensor.keySet()) {
            boolean tolerated = name.endsWith(".rotary_emb.inv_freq") || (name.equals("lm_head.weight")
                    && config.tieWordEmbeddings() && Arrays.equals(shapeOf(name), new long[]{config.vocabSize(),
                    config.hiddenSize()}));
            if (!expected.containsKey(name) && !tolerated) {
                unexpected.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new DeepalignException("the checkpoint in " + dir + " does not match its config.json: "
                    + "missing tensors " + abbreviate(missing) + ", unexpected tensors " + abbreviate(unexpected) + ".");
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] actual = shapeOf(e.getKey());
            if (!Arrays.equals(actual, e.getValue())) {
                throw new DeepalignException("tensor " + e.getKey() + " in " + fileOf(e.getKey()) + " has shape "
                        + Arrays.toString(actual) + " but config.json implies " + Arrays.toString(e.getValue()) + ".");
            }
        }
    }

    private static String abbreviate(List<String> names) {
        if (names.size() <= 6) {
            return names.toString();
        }
        return names.subList(0, 5).toString().replace("]", ", ... and " + (names.size() - 5) + " more]");
    }

    // --- writing ---

    /**
     * Writes {@code tensors} as one {@code model.safetensors}, or, when their bytes exceed {@code maxShardBytes},
     * as {@code model-0000k-of-0000N.safetensors} shards plus {@code model.safetensors.index.json}, exactly as
     * save_pretrained does. Shards are filled in the given order. Weight files of an earlier save that the new
     * layout does not use are deleted, so the directory never mixes two checkpoints.
     */
    public static void write(Path dir, List<RawTensor> tensors, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive but is " + maxShardBytes);
        }
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (RawTensor t : tensors) {
            if (!seen.add(t.name())) {
                throw new DeepalignException("cannot write a checkpoint to " + dir + ": tensor " + t.name()
                        + " appears twice.");
            }
            total += t.byteSize();
        }
        if (total <= maxShardBytes) {
            SafeTensors.write(dir.resolve(SINGLE), tensors, null);
            removeStaleWeights(dir, Set.of(SINGLE));
            return;
        }
        List<List<RawTensor>> shards = new ArrayList<>();
        long current = 0;
        for (RawTensor t : tensors) {
            if (shards.isEmpty() || (current > 0 && current + t.byteSize() > maxShardBytes)) {
                shards.add(new ArrayList<>());
                current = 0;
            }
            shards.get(shards.size() - 1).add(t);
            current += t.byteSize();
        }
        Map<String, String> weightMap = new TreeMap<>();
        Set<String> keep = new HashSet<>(Set.of(INDEX));
        for (int k = 0; k < shards.size(); k++) {
            String file = String.format("model-%05d-of-%05d.safetensors", k + 1, shards.size());
            SafeTensors.write(dir.resolve(file), shards.get(k), null);
            shards.get(k).forEach(t -> weightMap.put(t.name(), file));
            keep.add(file);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", total));
        index.put("weight_map", weightMap);
        try {
            SafeTensors.writeString(dir.resolve(INDEX), SafeTensors.PRETTY.writeValueAsString(index) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        removeStaleWeights(dir, keep);
    }

    private static void removeStaleWeights(Path dir, Set<String> keep) {
        for (Path p : list(dir, n -> n.equals(SINGLE) || n.equals(INDEX) || SHARD.matcher(n).matches())) {
            if (!keep.contains(p.getFileName().toString())) {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new DeepalignException("cannot remove the stale weight file " + p + ": " + e.getMessage(), e);
                }
            }
        }
    }
}
