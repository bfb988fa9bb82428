package deepalign.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import deepalign.DeepalignException;
import deepalign.model.LanguageModel;
import deepalign.organism.Organisms;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --model and --dtype, shared by commands that run one model; no --model means the organism's aligned model. */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face model directory (config.json, *.safetensors, tokenizer.json). Default: the built-in organism's aligned model.")
    Path model;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "TYPE",
            description = "Compute dtype: float32 (default) or float16 (half the memory; norms and softmax stay float32). "
                    + "Checkpoints in bfloat16, float16 or float32 load either way.")
    String dtype;

    public Path modelDir() {
        return model != null ? model : Organisms.defaultOrganism().aligned();
    }

    public DataType dataType() {
        return parseDtype(dtype);
    }

    public LanguageModel load(NDManager manager) {
        return LanguageModel.load(modelDir(), manager, dataType());
    }

    public static DataType parseDtype(String s) {
        return switch (s.toLowerCase()) {
            case "float32", "fp32", "f32" -> DataType.FLOAT32;
            case "float16", "fp16", "f16", "half" -> DataType.FLOAT16;
            // DJL's PyTorch JNI (0.36) has no bfloat16 tensors: creating one aborts the JVM ("terminate called")
            case "bfloat16", "bf16" -> throw new DeepalignException("--dtype bfloat16 is not available: DJL's PyTorch engine has no "
                    + "bfloat16 tensors; use float16 to halve memory (bfloat16 checkpoints load into either)");
            default -> throw new DeepalignException("unknown --dtype " + s + "; use float32 or float16");
        };
    }
}
