package deepalign.analysis;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import deepalign.DeepalignException;
import deepalign.model.LanguageModel;
import deepalign.organism.Organism;
import deepalign.organism.Organisms;
import deepalign.tokenize.Tokenizer;
import java.nio.file.Path;

/**
 * A base model and its aligned version, checked to share one tokenizer and vocabulary: every
 * diagnostic compares the two distributions token by token, which only means something when token
 * id v is the same string in both models (METHOD.md, Notation).
 */
public record ModelPair(LanguageModel base, LanguageModel aligned) implements AutoCloseable {

    public ModelPair {
        requireSameVocabulary(base, aligned);
    }

    /** Loads both checkpoints; the tokenizers are compared before any weights are read. */
    public static ModelPair load(Path baseDir, Path alignedDir, NDManager manager, DataType dtype) {
        requireSameTokenizer(baseDir, alignedDir);
        LanguageModel b = LanguageModel.load(baseDir, manager, dtype);
        LanguageModel a = LanguageModel.load(alignedDir, manager, dtype);
        return new ModelPair(b, a);
    }

    public static ModelPair load(Path baseDir, Path alignedDir, NDManager manager) {
        return load(baseDir, alignedDir, manager, DataType.FLOAT32);
    }

    /** The built-in organism's pair (built on first use, then cached). */
    public static ModelPair defaultPair(NDManager manager) {
        Organism o = Organisms.defaultOrganism();
        return load(o.base(), o.aligned(), manager);
    }

    /** Throws naming both tokenizer files and the first differing token when the tokenizers differ. */
    public static void requireSameTokenizer(Path baseDir, Path alignedDir) {
        try (Tokenizer b = Tokenizer.load(baseDir);
                Tokenizer a = Tokenizer.load(alignedDir)) {
            String diff = Tokenizer.firstDifference(b, a);
            if (diff != null) {
                throw new DeepalignException("Base and aligned models must share one tokenizer. " + diff);
            }
        }
    }

    private static void requireSameVocabulary(LanguageModel base, LanguageModel aligned) {
        String diff = Tokenizer.firstDifference(base.tokenizer(), aligned.tokenizer());
        if (diff != null) throw new DeepalignException("Base and aligned models must share one tokenizer. " + diff);
        int vb = base.config().vocabSize();
        int va = aligned.config().vocabSize();
        if (vb != va) {
            throw new DeepalignException("Base and aligned models must have the same vocabulary size, but "
                    + base.dir().resolve("config.json") + " says vocab_size " + vb + " and "
                    + aligned.dir().resolve("config.json") + " says " + va + ".");
        }
    }

    public int vocabSize() {
        return base.config().vocabSize();
    }

    @Override
    public void close() {
        base.close();
        aligned.close();
    }
}
