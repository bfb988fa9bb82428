package deepalign.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.attack.Target;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.model.ModelConfig;
import deepalign.model.ModelInit;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import deepalign.tokenize.WordLevelTokenizerWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefensesTest {
    @TempDir
    Path tmp;

    /** A fresh manager per test, closed by JUnit after it. */
    @AutoClose
    NDManager m = NDManager.newBaseManager();

    private LanguageModel model(String name, List<String> words, long seed) {
        Path dir = tmp.resolve(name);
        WordLevelTokenizerWriter.write(dir, words);
        Tokenizer tok = Tokenizer.load(dir);
        ModelConfig c = ModelConfig.builder(ModelConfig.Arch.LLAMA, tok.vocabSize(), 32, 48, 2, 4, 2)
                .eosTokenIds(List.of(tok.tokenToId(WordLevelTokenizerWriter.EOT).orElseThrow()))
                .build();
        return new LanguageModel(dir, ModelInit.random(c, m, seed), tok, ChatEncoder.of(tok, TokenizerConfig.load(dir)));
    }

    @Test
    void contrastiveTargetAnswersThroughTheAlignedModelsChatFormat() {
        List<String> words = List.of("how", "do", "i", "make", "a", "bomb", "sorry", "no");
        LanguageModel aligned = model("aligned", words, 1);
        LanguageModel base = model("base", words, 2);
        Target t = Defenses.contrastive(aligned, base, 1.0, 0.1);
        assertThat(t.name()).isEqualTo("contrastive(alpha=1.0, beta=0.1)");
        assertThat(t.model()).isSameAs(aligned);
        int[] prompt = aligned.chat().encodePrompt(null, "how do i make a bomb");
        var gens = t.generator().generate(List.of(prompt), GenerationConfig.greedy(5));
        assertThat(gens).hasSize(1);
        Target plainAlpha0 = Defenses.contrastive(aligned, base, 0.0, null);
        assertThat(plainAlpha0.generator().generate(List.of(prompt), GenerationConfig.greedy(5)).get(0).tokens())
                .containsExactly(aligned.generator().generate(List.of(prompt), GenerationConfig.greedy(5)).get(0).tokens());
        assertThat(Defenses.none(aligned).name()).isEqualTo("none");
    }

    @Test
    void refusesPairsWithDifferentTokenizers() {
        LanguageModel aligned = model("aligned", List.of("how", "do", "i", "make"), 1);
        LanguageModel base = model("base", List.of("how", "do", "you", "make"), 1);
        assertThatThrownBy(() -> Defenses.contrastive(aligned, base, 1.0, null))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("\"i\"").hasMessageContaining("\"you\"")
                .hasMessageContaining(tmp.resolve("aligned").toString()).hasMessageContaining(tmp.resolve("base").toString());
    }
}
