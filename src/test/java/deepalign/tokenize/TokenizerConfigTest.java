package deepalign.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerConfigTest {

    @TempDir
    Path dir;

    private TokenizerConfig write(String json) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), json);
        return TokenizerConfig.load(dir);
    }

    @Test
    void readsStringTemplateAndPlainTokens() throws Exception {
        TokenizerConfig c = write("""
                {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "pad_token": null,
                 "chat_template": "{{ bos_token }}hi", "add_bos_token": true, "model_max_length": 8192}
                """);
        assertThat(c.chatTemplate()).isEqualTo("{{ bos_token }}hi");
        assertThat(c.bosToken()).isEqualTo("<|begin_of_text|>");
        assertThat(c.eosToken()).isEqualTo("<|eot_id|>");
        assertThat(c.padToken()).isNull();
        assertThat(c.addBosToken()).isTrue();
        assertThat(c.source()).isEqualTo(dir.resolve("tokenizer_config.json"));
    }

    @Test
    void readsAddedTokenObjectsAndDefaultsAddBosToFalse() throws Exception {
        TokenizerConfig c = write("""
                {"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
                 "eos_token": {"content": "</s>"}, "unk_token": "<unk>"}
                """);
        assertThat(c.bosToken()).isEqualTo("<s>");
        assertThat(c.eosToken()).isEqualTo("</s>");
        assertThat(c.unkToken()).isEqualTo("<unk>");
        assertThat(c.addBosToken()).isFalse();
        assertThat(c.chatTemplate()).isNull();
    }

    @Test
    void takesTheDefaultOfNamedTemplates() throws Exception {
        TokenizerConfig c = write("""
                {"chat_template": [{"name": "tool_use", "template": "TOOLS"}, {"name": "default", "template": "PLAIN"}]}
                """);
        assertThat(c.chatTemplate()).isEqualTo("PLAIN");
    }

    @Test
    void namedTemplatesWithoutDefaultAreAnError() throws Exception {
        assertThatThrownBy(() -> write("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}]}"))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
                .hasMessageContaining("[tool_use]")
                .hasMessageContaining("\"default\"");
    }

    @Test
    void missingFileGivesDefaults() {
        TokenizerConfig c = TokenizerConfig.load(dir);
        assertThat(c).isEqualTo(TokenizerConfig.defaults());
        assertThat(c.chatTemplate()).isNull();
        assertThat(c.sourceName()).contains("no tokenizer_config.json");
    }

    @Test
    void separateChatTemplateFilesAreUsed() throws Exception {
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0].content }}");
        TokenizerConfig c = write("{\"eos_token\": \"</s>\"}");
        assertThat(c.chatTemplate()).isEqualTo("{{ messages[0].content }}");
        assertThat(c.eosToken()).isEqualTo("</s>");

        Files.delete(dir.resolve("chat_template.jinja"));
        Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"JSON TEMPLATE\"}");
        assertThat(TokenizerConfig.load(dir).chatTemplate()).isEqualTo("JSON TEMPLATE");
    }

    @Test
    void malformedJsonNamesFileAndLine() {
        assertThatThrownBy(() -> write("{\n\"bos_token\": \"<s>\",\n\"eos_token\" \"</s>\"\n}"))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
                .hasMessageContaining("line 3");
    }
}
