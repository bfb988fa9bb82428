package deepalign.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatEncoderTest {

    @TempDir
    Path dir;

    Tokenizer tokenizer;
    TokenizerConfig config;

    @BeforeEach
    void setUp() {
        WordLevelTokenizerWriter.write(dir, List.of("be", "brief", "hi", "sure", "here"));
        tokenizer = Tokenizer.load(dir);
        config = TokenizerConfig.load(dir);
    }

    @AfterEach
    void tearDown() {
        tokenizer.close();
    }

    @Test
    void encodesPromptWithoutDoublingBos() {
        ChatEncoder enc = ChatEncoder.of(tokenizer, config);
        // bos(2) <sh>(4) user(8) <eh>(5) hi(12) eot(6) <sh> assistant(9) <eh>
        assertThat(enc.encodePrompt(null, "hi")).containsExactly(2, 4, 8, 5, 12, 6, 4, 9, 5);
        assertThat(enc.encodePrompt("be brief", "hi")).containsExactly(2, 4, 7, 5, 10, 11, 6, 4, 8, 5, 12, 6, 4, 9, 5);
        assertThat(enc.bosPrepended(enc.template().render(ChatEncoder.messages(null, "hi"), true))).isFalse();
    }

    @Test
    void prefillIsAppendedTokenByToken() {
        ChatEncoder enc = ChatEncoder.of(tokenizer, config);
        int[] prefill = tokenizer.encode("sure here");
        assertThat(enc.encodeWithPrefill(null, "hi", prefill)).containsExactly(2, 4, 8, 5, 12, 6, 4, 9, 5, 13, 14);
        assertThat(enc.encodeWithPrefill(null, "hi", new int[0])).containsExactly(enc.encodePrompt(null, "hi"));
    }

    @Test
    void prependsBosWhenTheTemplateDoesNotWriteIt() {
        ChatEncoder enc = new ChatEncoder(tokenizer, ChatTemplate.fallback(config), config);
        String rendered = enc.template().render(ChatEncoder.messages(null, "hi"), true);
        assertThat(rendered).isEqualTo("<|user|>\nhi\n<|assistant|>\n");
        assertThat(enc.bosPrepended(rendered)).isTrue();
        assertThat(enc.encodePrompt(null, "hi")).containsExactly(2, 1, 12, 1);
    }

    @Test
    void noBosWithoutAddBosToken() {
        TokenizerConfig noBos = new TokenizerConfig(null, "<|begin_of_text|>", "<|eot_id|>", "<pad>", "<unk>", false, null);
        ChatEncoder enc = new ChatEncoder(tokenizer, ChatTemplate.fallback(noBos), noBos);
        assertThat(enc.encodePrompt(null, "hi")).containsExactly(1, 12, 1);
    }

    @Test
    void bosMissingFromVocabularyIsAnError() {
        TokenizerConfig bad = new TokenizerConfig(null, "<s>", "</s>", null, null, true, dir.resolve("tokenizer_config.json"));
        ChatEncoder enc = new ChatEncoder(tokenizer, ChatTemplate.fallback(bad), bad);
        assertThatThrownBy(() -> enc.encodePrompt(null, "hi"))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
                .hasMessageContaining("\"<s>\"")
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void eosIsTheEndOfTurnToken() {
        ChatEncoder enc = ChatEncoder.of(tokenizer, config);
        assertThat(enc.eosId()).hasValue(6);
        assertThat(enc.bosId()).hasValue(2);
    }
}
