package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Moves weights between Hugging Face checkpoint directories and DJL arrays. */
public final class Checkpoint {
    /** Shards above this size, like HF's default max_shard_size. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5L * 1024 * 1024 * 1024;

    private Checkpoint() {}

    /** Loads config.json and the safetensors weights of {@code dir}, validated against each other. */
    public static Transformer load(Path dir, NDManager manager, DataType computeType) {
        if (computeType == DataType.BFLOAT16) {
            // DJL's PyTorch JNI maps no dtype code to bfloat16: making such a tensor aborts the JVM
            throw new DeepalignException("bfloat16 compute is not available: DJL's PyTorch engine has no bfloat16 tensors; use float16 or float32");
        }
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        CheckpointFiles files = CheckpointFiles.open(dir);
        files.validate(config);
        Map<String, RawTensor> raw = files.readAll();
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (String name : CheckpointFiles.expectedTensorNames(config)) {
            RawTensor t = raw.get(name);
            NDArray a = manager.create(t.toFloats(), new Shape(t.shape()));
            if (computeType != DataType.FLOAT32) {
                NDArray c = a.toType(computeType, false);
                a.close();
                a = c;
            }
            params.put(name, a);
        }
        return new Transformer(config, manager, params);
    }

    /** Writes config.json and the weights (single file, or sharded above {@code maxShardBytes}). */
    public static void save(Transformer model, Path dir, RawTensor.DType storeAs, long maxShardBytes) {
        List<RawTensor> tensors = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            NDArray a = e.getValue();
            float[] data = a.toType(DataType.FLOAT32, false).toFloatArray();
            tensors.add(RawTensor.ofFloats(e.getKey(), a.getShape().getShape(), data, storeAs));
        }
        ModelConfig c = model.config();
        ModelConfig config = new ModelConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(),
                c.maxPositionEmbeddings(), c.tieWordEmbeddings(), c.attentionBias(), c.bosTokenId(), c.eosTokenIds(),
                torchName(storeAs), c.slidingWindow());
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException ex) {
            throw new DeepalignException("cannot create " + dir + ": " + ex.getMessage(), ex);
        }
        CheckpointFiles.write(dir, tensors, maxShardBytes);
        config.save(dir.resolve("config.json"));
    }

    static String torchName(RawTensor.DType t) {
        return switch (t) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        };
    }

    public static void save(Transformer model, Path dir) {
        save(model, dir, RawTensor.DType.F32, DEFAULT_MAX_SHARD_BYTES);
    }
}
