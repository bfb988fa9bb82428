package deepalign.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import deepalign.DeepalignException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a real Hugging Face tokenizer for a word-level vocabulary: one id per whitespace-separated
 * word, Llama-3 chat markers as special tokens, and a Llama-3 chat template. Small models built on
 * it ("model organisms") go through exactly the code paths of a real checkpoint.
 *
 * <p>Ids: the special tokens 0..6 in the order of {@link #specialTokens()}, the role words
 * {@code system}, {@code user}, {@code assistant} (the template writes them inside the headers),
 * then the given words. Decoding joins tokens with single spaces (tokenizer.json has no decoder).
 */
public final class WordLevelTokenizerWriter {

    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<|begin_of_text|>";
    public static final String END_OF_TEXT = "<|end_of_text|>";
    public static final String START_HEADER = "<|start_header_id|>";
    public static final String END_HEADER = "<|end_header_id|>";
    /** End of turn; the chat model's eos_token. */
    public static final String EOT = "<|eot_id|>";

    private static final List<String> SPECIALS = List.of(PAD, UNK, BOS, END_OF_TEXT, START_HEADER, END_HEADER, EOT);
    private static final List<String> ROLES = List.of("system", "user", "assistant");

    /** Meta-Llama-3-8B-Instruct's chat template. */
    public static final String LLAMA3_CHAT_TEMPLATE = "{% set loop_messages = messages %}"
            + "{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
            + "+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
            + "{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    private WordLevelTokenizerWriter() {
    }

    public static List<String> specialTokens() {
        return SPECIALS;
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir} for the given words. */
    public static void write(Path dir, List<String> words) {
        Set<String> vocab = new LinkedHashSet<>(SPECIALS);
        vocab.addAll(ROLES);
        for (String word : words) {
            if (word.isEmpty() || word.codePoints().anyMatch(Character::isWhitespace)) {
                throw new DeepalignException("Word-level vocabulary entry \"" + word
                        + "\" is empty or contains whitespace; words are split on whitespace.");
            }
            vocab.add(word);
        }
        writeFiles(dir, new ArrayList<>(vocab));
    }

    /** Specials, role words, then "w0", "w1", ... until exactly {@code vocabSize} entries. */
    public static void writeSynthetic(Path dir, int vocabSize) {
        int fixed = SPECIALS.size() + ROLES.size();
        if (vocabSize < fixed) {
            throw new DeepalignException("A synthetic vocabulary needs at least " + fixed
                    + " entries (special tokens and role words), not " + vocabSize + ".");
        }
        List<String> words = new ArrayList<>(vocabSize - fixed);
        for (int i = 0; i < vocabSize - fixed; i++) {
            words.add("w" + i);
        }
        write(dir, words);
    }

    private static void writeFiles(Path dir, List<String> vocab) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (String token : vocab) {
            ids.put(token, ids.size());
        }
        List<Map<String, Object>> added = new ArrayList<>();
        for (String special : SPECIALS) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", ids.get(special));
            token.put("content", special);
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            added.add(token);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordLevel");
        model.put("vocab", ids);
        model.put("unk_token", UNK);

        Map<String, Object> tokenizer = new LinkedHashMap<>();
        tokenizer.put("version", "1.0");
        tokenizer.put("truncation", null);
        tokenizer.put("padding", null);
        tokenizer.put("added_tokens", added);
        tokenizer.put("normalizer", null); // keep case
        tokenizer.put("pre_tokenizer", Map.of("type", "WhitespaceSplit"));
        tokenizer.put("post_processor", null);
        tokenizer.put("decoder", null); // without a decoder, HF tokenizers join tokens with " "
        tokenizer.put("model", model);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", BOS);
        config.put("eos_token", EOT);
        config.put("pad_token", PAD);
        config.put("unk_token", UNK);
        // Raw text gets bos like Llama-3's post-processor adds it; chat prompts already start with it.
        config.put("add_bos_token", true);
        config.put("add_eos_token", false);
        config.put("model_max_length", 1_000_000);
        config.put("chat_template", LLAMA3_CHAT_TEMPLATE);

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path target = dir.resolve(Tokenizer.FILE_NAME);
        try {
            Files.createDirectories(dir);
            json.writeValue(target.toFile(), tokenizer);
            target = dir.resolve(TokenizerConfig.FILE_NAME);
            json.writeValue(target.toFile(), config);
        } catch (IOException e) {
            throw new DeepalignException("Could not write " + target + ": " + e.getMessage(), e);
        }
    }
}
