package deepalign.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import deepalign.DeepalignException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) run by DJL's bindings to the Rust library.
 *
 * <p>It never adds special tokens, truncates or pads by itself: chat templates write BOS and the
 * turn markers as text, and special tokens written literally (e.g. {@code <|eot_id|>}) encode to
 * their single ids. The id/token tables come from reading tokenizer.json ourselves, because DJL's
 * tokenizer does not expose its vocabulary.
 */
public final class Tokenizer implements AutoCloseable {

    public static final String FILE_NAME = "tokenizer.json";

    private final Path json;
    private final HuggingFaceTokenizer hf;
    private final String[] tokens; // id -> token; null for ids the file leaves unused
    private final Map<String, Integer> ids;

    private Tokenizer(Path json, HuggingFaceTokenizer hf, String[] tokens, Map<String, Integer> ids) {
        this.json = json;
        this.hf = hf;
        this.tokens = tokens;
        this.ids = ids;
    }

    /** Loads {@code modelDir/tokenizer.json} (a path to the json file itself works too). */
    public static Tokenizer load(Path modelDir) {
        Path json = Files.isRegularFile(modelDir) ? modelDir : modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(json)) {
            throw new DeepalignException("No tokenizer found: " + json + " does not exist.");
        }
        TreeMap<Integer, String> table = readVocabulary(json);
        HuggingFaceTokenizer hf;
        try {
            // Passing the file (not the directory) keeps DJL from reading tokenizer_config.json
            // and applying its own max-length or special-token settings.
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(json)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new DeepalignException("Could not load tokenizer " + json + ": " + e.getMessage(), e);
        }
        int size = table.lastKey() + 1;
        String[] tokens = new String[size];
        Map<String, Integer> ids = new HashMap<>(size * 2);
        table.forEach((id, token) -> {
            tokens[id] = token;
            ids.put(token, id);
        });
        return new Tokenizer(json, hf, tokens, ids);
    }

    /** Token ids of {@code text}, with no special tokens added. */
    public int[] encode(String text) {
        long[] raw = hf.encode(text, false, false).getIds();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = Math.toIntExact(raw[i]);
        }
        return out;
    }

    /** Text of {@code ids}; ids beyond the vocabulary are dropped, as HF tokenizers do. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] raw = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            raw[i] = ids[i];
        }
        return hf.decode(raw, skipSpecialTokens);
    }

    /** Number of ids: the highest id in the vocabulary or added tokens, plus one. */
    public int vocabSize() {
        return tokens.length;
    }

    /** The token string of {@code id} (as in tokenizer.json, e.g. "Ġthe"), or null if the id has none. */
    public String idToToken(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    public OptionalInt tokenToId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public Path tokenizerJson() {
        return json;
    }

    @Override
    public void close() {
        hf.close();
    }

    /**
     * Null if both tokenizers map every id to the same token, else one sentence naming both files
     * and the first id where they differ. Used to refuse base/aligned pairs that cannot be compared.
     */
    public static String firstDifference(Tokenizer a, Tokenizer b) {
        int common = Math.min(a.vocabSize(), b.vocabSize());
        for (int id = 0; id < common; id++) {
            String ta = a.tokens[id];
            String tb = b.tokens[id];
            if (ta == null ? tb != null : !ta.equals(tb)) {
                return "Tokenizers differ at id " + id + ": " + quote(ta) + " in " + a.json
                        + " but " + quote(tb) + " in " + b.json + ".";
            }
        }
        if (a.vocabSize() != b.vocabSize()) {
            Tokenizer longer = a.vocabSize() > b.vocabSize() ? a : b;
            Tokenizer shorter = longer == a ? b : a;
            return "Tokenizers differ in size: " + a.json + " has " + a.vocabSize() + " ids but "
                    + b.json + " has " + b.vocabSize() + "; the first extra id " + common + " is "
                    + quote(longer.tokens[common]) + " in " + longer.json + " and absent from "
                    + shorter.json + ".";
        }
        return null;
    }

    private static String quote(String token) {
        return token == null ? "(no token)" : "\"" + token.replace("\n", "\\n") + "\"";
    }

    /**
     * id -> token from the model's vocab and the added tokens. The vocab is an object
     * {token: id} (BPE, WordPiece, WordLevel) or a list of [piece, score] pairs whose index is the
     * id (Unigram). Streaming keeps large files (merges lists of 100k+ entries) cheap to skip.
     */
    static TreeMap<Integer, String> readVocabulary(Path json) {
        TreeMap<Integer, String> table = new TreeMap<>();
        try (JsonParser p = new JsonFactory().createParser(json.toFile())) {
            expect(p.nextToken(), JsonToken.START_OBJECT, p, json);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("added_tokens".equals(field) && value == JsonToken.START_ARRAY) {
                    readAddedTokens(p, table);
                } else if ("model".equals(field) && value == JsonToken.START_OBJECT) {
                    readModel(p, table, json);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new DeepalignException("Could not read the vocabulary of " + json + ": " + e.getMessage(), e);
        }
        if (table.isEmpty()) {
            throw new DeepalignException(json + " has no model vocabulary.");
        }
        return table;
    }

    private static void readAddedTokens(JsonParser p, Map<Integer, String> table) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Integer id = null;
            String content = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("id".equals(field)) {
                    id = p.getIntValue();
                } else if ("content".equals(field)) {
                    content = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (id != null && content != null) {
                table.put(id, content);
            }
        }
    }

    private static void readModel(JsonParser p, Map<Integer, String> table, Path json) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (!"vocab".equals(field)) {
                p.skipChildren();
            } else if (value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String token = p.currentName();
                    p.nextToken();
                    table.putIfAbsent(p.getIntValue(), token); // added_tokens win where both name an id
                }
            } else if (value == JsonToken.START_ARRAY) {
                int id = 0;
                while (p.nextToken() == JsonToken.START_ARRAY) {
                    p.nextToken();
                    table.putIfAbsent(id++, p.getText());
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                    }
                }
            } else {
                throw new DeepalignException(json + " has a model vocab that is neither an object nor a list.");
            }
        }
    }

    private static void expect(JsonToken got, JsonToken want, JsonParser p, Path json) {
        if (got != want) {
            throw new DeepalignException(json + " is not a tokenizer.json (expected " + want + " at line "
                    + p.currentLocation().getLineNr() + ").");
        }
    }

    @Override
    public String toString() {
        return "Tokenizer[" + json + ", " + vocabSize() + " ids]";
    }
}
