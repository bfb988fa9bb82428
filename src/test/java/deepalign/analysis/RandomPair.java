package deepalign.analysis;

import ai.djl.ndarray.NDManager;
import deepalign.model.LanguageModel;
import deepalign.model.ModelConfig;
import deepalign.model.TinyModels;
import deepalign.model.Transformer;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import deepalign.tokenize.WordLevelTokenizerWriter;
import java.nio.file.Path;

/** Two random tiny Llama models on one synthetic word-level tokenizer ("w0".."w50"), for pure-math tests. */
final class RandomPair {
    private RandomPair() {}

    static LanguageModel model(Path dir, NDManager m, long seed) {
        ModelConfig c = TinyModels.llama(); // vocab 61 = 7 specials + 3 roles + w0..w50
        WordLevelTokenizerWriter.writeSynthetic(dir, c.vocabSize());
        Tokenizer tok = Tokenizer.load(dir);
        Transformer t = TinyModels.random(c, m, seed);
        t.param("lm_head.weight").muli(30f); // peaked distributions, so the two models differ clearly
        return new LanguageModel(dir, t, tok, ChatEncoder.of(tok, TokenizerConfig.load(dir)));
    }

    static ModelPair pair(Path dir, NDManager m) {
        return new ModelPair(model(dir.resolve("base"), m, 11), model(dir.resolve("aligned"), m, 12));
    }
}
