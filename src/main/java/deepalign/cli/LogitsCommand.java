package deepalign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import deepalign.model.Checkpoint;
import deepalign.model.Transformer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepalign logits}: the raw next-token logits of one forward pass over given ids, as a NumPy file, so
 * deepalign's model code can be compared with Hugging Face transformers on the same checkpoint.
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = {"Run one forward pass over token ids (no chat template, no bos added) and save the logits "
                + "as float32 NumPy .npy of shape [T, V]: row t holds the scores for the token after ids[0..t].",
                "In Python: np.load(FILE) vs model(torch.tensor([ids])).logits[0]."})
public final class LogitsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--ids", required = true, paramLabel = "IDS", description = "Comma-separated token ids, e.g. 1,2,3.")
    String ids;

    @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Where to write the logits (.npy, float32, [T, V]).")
    Path out;

    @Override
    public Integer call() {
        Path dir = modelOptions.modelDir();
        try (NDManager manager = NDManager.newBaseManager();
                Transformer model = Checkpoint.load(dir, manager, modelOptions.dataType())) {
            int vocab = model.config().vocabSize();
            long[] tokens = parseIds(ids, vocab, dir);
            int t = tokens.length;
            NDArray logits = model.forward(manager.create(tokens, new Shape(1, t)), manager.ones(new Shape(1, t)), null);
            float[] data = logits.toType(DataType.FLOAT32, false).toFloatArray();
            Npy.write(out, new long[] {t, vocab}, data);
            PrintWriter w = spec.commandLine().getOut();
            w.println("wrote logits [" + t + ", " + vocab + "] to " + out);
            w.flush();
        }
        return 0;
    }

    /** Parses "1, 2,3" into ids, each in [0, vocab); anything else is one clear sentence. */
    static long[] parseIds(String text, int vocab, Path dir) {
        String[] parts = text.split(",", -1);
        if (text.isBlank()) throw new DeepalignException("--ids is empty; give at least one token id, e.g. --ids 1,2,3.");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            long id;
            try {
                id = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new DeepalignException("--ids must be comma-separated integers like 1,2,3, but entry " + (i + 1)
                        + " is '" + p + "'.");
            }
            if (id < 0 || id >= vocab) {
                throw new DeepalignException("token id " + id + " (entry " + (i + 1) + " of --ids) is outside the vocabulary of "
                        + dir + ", whose ids run from 0 to " + (vocab - 1) + ".");
            }
            out[i] = id;
        }
        return out;
    }
}
