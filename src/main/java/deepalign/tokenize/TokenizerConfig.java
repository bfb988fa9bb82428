package deepalign.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import deepalign.DeepalignException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a checkpoint's {@code tokenizer_config.json} that prompting needs.
 *
 * @param chatTemplate Jinja chat template, or null when the checkpoint has none
 * @param bosToken     beginning-of-sequence token text, or null
 * @param eosToken     end-of-sequence token text (for chat models the end-of-turn token), or null
 * @param padToken     padding token text, or null
 * @param unkToken     unknown token text, or null
 * @param addBosToken  whether the tokenizer is expected to put bos_token in front of encoded text
 * @param source       the file these values came from, or null for defaults
 */
public record TokenizerConfig(
        String chatTemplate,
        String bosToken,
        String eosToken,
        String padToken,
        String unkToken,
        boolean addBosToken,
        Path source) {

    public static final String FILE_NAME = "tokenizer_config.json";

    /** No template, no special tokens: what a directory without tokenizer_config.json gets. */
    public static TokenizerConfig defaults() {
        return new TokenizerConfig(null, null, null, null, null, false, null);
    }

    /**
     * Reads {@code modelDir/tokenizer_config.json}. Newer transformers versions save the template
     * next to it as {@code chat_template.jinja} or {@code chat_template.json}; those are used when
     * the config itself has no chat_template.
     */
    public static TokenizerConfig load(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        TokenizerConfig cfg = Files.isRegularFile(file) ? parse(file) : defaults();
        if (cfg.chatTemplate() == null) {
            String separate = separateTemplate(modelDir);
            if (separate != null) {
                cfg = new TokenizerConfig(separate, cfg.bosToken(), cfg.eosToken(), cfg.padToken(),
                        cfg.unkToken(), cfg.addBosToken(), cfg.source());
            }
        }
        return cfg;
    }

    /** Parses one tokenizer_config.json file. */
    public static TokenizerConfig parse(Path file) {
        JsonNode root = readJson(file);
        if (!root.isObject()) {
            throw new DeepalignException(file + " is not a JSON object.");
        }
        return new TokenizerConfig(
                chatTemplate(root.get("chat_template"), file),
                tokenText(root.get("bos_token")),
                tokenText(root.get("eos_token")),
                tokenText(root.get("pad_token")),
                tokenText(root.get("unk_token")),
                root.path("add_bos_token").asBoolean(false),
                file);
    }

    /** Where error messages should point: the file, or a phrase when there was none. */
    public String sourceName() {
        return source == null ? "default tokenizer settings (no " + FILE_NAME + ")" : source.toString();
    }

    private static String separateTemplate(Path modelDir) {
        Path jinja = modelDir.resolve("chat_template.jinja");
        Path json = modelDir.resolve("chat_template.json");
        try {
            if (Files.isRegularFile(jinja)) {
                return Files.readString(jinja);
            }
        } catch (IOException e) {
            throw new DeepalignException("Could not read " + jinja + ": " + e.getMessage(), e);
        }
        if (Files.isRegularFile(json)) {
            return chatTemplate(readJson(json).get("chat_template"), json);
        }
        return null;
    }

    /** chat_template is a string, or a list of {name, template} of which "default" is the one HF uses. */
    private static String chatTemplate(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode entry : node) {
                String name = entry.path("name").asText(null);
                names.add(name);
                if ("default".equals(name) && entry.path("template").isTextual()) {
                    return entry.get("template").asText();
                }
            }
            throw new DeepalignException(file + " lists chat templates " + names + " but none named \"default\".");
        }
        throw new DeepalignException(file + " has a chat_template that is neither a string nor a list of {name, template}.");
    }

    /** Special tokens are either plain strings or AddedToken objects {"content": ..., ...}. */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }

    static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            String line = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new DeepalignException("Could not parse " + file + line + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DeepalignException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }
}
