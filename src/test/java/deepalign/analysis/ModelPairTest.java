package deepalign.analysis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.model.LanguageModel;
import deepalign.model.ModelConfig;
import deepalign.model.TinyModels;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import deepalign.tokenize.WordLevelTokenizerWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPairTest {
    @TempDir
    Path tmp;

    @Test
    void tokenizersDifferingInOneWordAreRefusedNamingBothFilesAndTheToken() {
        Path base = tmp.resolve("base");
        Path aligned = tmp.resolve("aligned");
        WordLevelTokenizerWriter.write(base, List.of("alpha", "beta", "gamma"));
        WordLevelTokenizerWriter.write(aligned, List.of("alpha", "delta", "gamma"));
        try (NDManager m = NDManager.newBaseManager()) {
            // Refused from the tokenizers alone, before any weights are looked for.
            assertThatThrownBy(() -> ModelPair.load(base, aligned, m))
                    .isInstanceOf(DeepalignException.class)
                    .hasMessageContaining(base.resolve("tokenizer.json").toString())
                    .hasMessageContaining(aligned.resolve("tokenizer.json").toString())
                    .hasMessageContaining("\"beta\"")
                    .hasMessageContaining("\"delta\"");
        }
    }

    @Test
    void differentVocabularySizesAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModel a = RandomPair.model(tmp.resolve("a"), m, 1);
            ModelConfig bigger = ModelConfig.builder(ModelConfig.Arch.LLAMA, 64, 32, 48, 2, 4, 2).eosTokenIds(List.of(1)).build();
            Path bDir = tmp.resolve("b");
            WordLevelTokenizerWriter.writeSynthetic(bDir, 61);
            Tokenizer tok = Tokenizer.load(bDir);
            LanguageModel b = new LanguageModel(bDir, TinyModels.random(bigger, m, 2), tok, ChatEncoder.of(tok, TokenizerConfig.load(bDir)));
            assertThatThrownBy(() -> new ModelPair(a, b))
                    .isInstanceOf(DeepalignException.class)
                    .hasMessageContaining("vocab_size 61")
                    .hasMessageContaining(bDir.resolve("config.json").toString());
        }
    }
}
