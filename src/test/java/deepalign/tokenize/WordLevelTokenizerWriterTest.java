package deepalign.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordLevelTokenizerWriterTest {

    @TempDir
    Path dir;

    @Test
    void idsAreSpecialsThenRolesThenWordsDeduplicated() {
        WordLevelTokenizerWriter.write(dir, List.of("the", "cat", "sat", "the", "user", "Cat"));
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(WordLevelTokenizerWriter.specialTokens()).containsExactly(
                    "<pad>", "<unk>", "<|begin_of_text|>", "<|end_of_text|>",
                    "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");
            for (int id = 0; id < 7; id++) {
                assertThat(t.idToToken(id)).isEqualTo(WordLevelTokenizerWriter.specialTokens().get(id));
            }
            assertThat(List.of(t.idToToken(7), t.idToToken(8), t.idToToken(9))).containsExactly("system", "user", "assistant");
            assertThat(List.of(t.idToToken(10), t.idToToken(11), t.idToToken(12), t.idToToken(13)))
                    .containsExactly("the", "cat", "sat", "Cat");
            assertThat(t.vocabSize()).isEqualTo(14);
        }
    }

    @Test
    void roundTripsSpaceSeparatedTextExactly() {
        WordLevelTokenizerWriter.write(dir, List.of("the", "cat", "sat", "on", "mat", "The", "."));
        try (Tokenizer t = Tokenizer.load(dir)) {
            String text = "The cat sat on the mat .";
            int[] ids = t.encode(text);
            assertThat(ids).containsExactly(15, 11, 12, 13, 10, 14, 16);
            assertThat(t.decode(ids, false)).isEqualTo(text);
            assertThat(t.encode("the dog")).containsExactly(10, 1); // unknown words map to <unk>
        }
    }

    @Test
    void chatTemplateRendersAndHeaderTokensAreSingleIds() {
        WordLevelTokenizerWriter.write(dir, List.of("be", "brief", "hi"));
        TokenizerConfig config = TokenizerConfig.load(dir);
        assertThat(config.eosToken()).isEqualTo("<|eot_id|>");
        assertThat(config.bosToken()).isEqualTo("<|begin_of_text|>");
        assertThat(config.padToken()).isEqualTo("<pad>");
        assertThat(config.addBosToken()).isTrue();
        String rendered = ChatTemplate.of(config).render(List.of(Message.system("be brief"), Message.user("hi")), true);
        assertThat(rendered).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nbe brief<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(t.encode(rendered)).containsExactly(
                    2, 4, 7, 5, 10, 11, 6,
                    4, 8, 5, 12, 6,
                    4, 9, 5);
            assertThat(t.decode(t.encode(rendered), true)).isEqualTo("system be brief user hi assistant");
        }
    }

    @Test
    void syntheticVocabularyHasExactlyTheRequestedSize() {
        WordLevelTokenizerWriter.writeSynthetic(dir, 50);
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(t.vocabSize()).isEqualTo(50);
            assertThat(t.idToToken(10)).isEqualTo("w0");
            assertThat(t.idToToken(49)).isEqualTo("w39");
            assertThat(t.tokenToId("w39")).hasValue(49);
            assertThat(t.decode(t.encode("w3 w1 w39"), false)).isEqualTo("w3 w1 w39");
        }
    }

    @Test
    void syntheticVocabularyTooSmallIsRefused() {
        assertThatThrownBy(() -> WordLevelTokenizerWriter.writeSynthetic(dir, 9))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("at least 10");
    }

    @Test
    void wordsWithWhitespaceAreRefused() {
        assertThatThrownBy(() -> WordLevelTokenizerWriter.write(dir, List.of("ok", "two words")))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("\"two words\"");
        assertThatThrownBy(() -> WordLevelTokenizerWriter.write(dir, List.of("")))
                .isInstanceOf(DeepalignException.class);
        assertThat(Files.exists(dir.resolve("tokenizer.json"))).isFalse();
    }
}
