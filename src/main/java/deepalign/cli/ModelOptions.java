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
            description = "Compute dtype: float32 (default) or bfloat16.")
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
            case "bfloat16", "bf16" -> DataType.BFLOAT16;
            default -> throw new DeepalignException("unknown --dtype " + s + "; use float32 or bfloat16");
        };
    }
}
