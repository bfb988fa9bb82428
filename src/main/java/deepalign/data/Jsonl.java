package deepalign.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import deepalign.DeepalignException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** JSON Lines files (one JSON object per line) and deepalign's {@link Example} format. */
public final class Jsonl {
    /** Shared mapper; thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private Jsonl() {}

    /**
     * Reads examples. Fields: {@code id, prompt, response, refusal, category, harmful, choices, answer, target};
     * only {@code prompt} is required. A missing id becomes the record's 0-based position in the file.
     */
    public static List<Example> readExamples(Path file) {
        List<Example> out = new ArrayList<>();
        forEachLine(file, (line, node) -> out.add(toExample(file, line, node, out.size())));
        return out;
    }

    /** Writes examples atomically (temp file + rename), one per line, null fields left out. */
    public static void writeExamples(Path file, List<Example> examples) {
        StringBuilder sb = new StringBuilder();
        for (Example e : examples) sb.append(toJson(toNode(e))).append('\n');
        writeAtomic(file, sb.toString());
    }

    /** Each non-blank line of a JSONL file as a JSON tree. */
    public static List<JsonNode> readTree(Path file) {
        List<JsonNode> out = new ArrayList<>();
        forEachLine(file, (line, node) -> out.add(node));
        return out;
    }

    /** A JSONL record and the line it was read from, for loaders that report errors by line. */
    public record Line(int number, JsonNode node) {}

    /** Each non-blank line of a JSONL file with its line number. */
    public static List<Line> readLines(Path file) {
        List<Line> out = new ArrayList<>();
        forEachLine(file, (line, node) -> out.add(new Line(line, node)));
        return out;
    }

    /** A whole (non-JSONL) JSON file as one tree. */
    public static JsonNode readJson(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new DeepalignException(file + " is not valid JSON: " + e.getOriginalMessage() + ".", e);
        } catch (IOException e) {
            throw new DeepalignException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends one value as a JSON line (creating the file and its folder if needed). */
    public static void appendLine(Path file, Object value) {
        try {
            createParent(file);
            Files.writeString(file, toJson(value) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new DeepalignException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a value as pretty-printed JSON, atomically. */
    public static void writeJson(Path file, Object value) {
        try {
            writeAtomic(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
        } catch (JsonProcessingException e) {
            throw new DeepalignException("cannot serialise JSON for " + file + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Compact JSON text of a value. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new DeepalignException("cannot serialise a value to JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes text to a temp file beside the target, then renames it over the target ({@link deepalign.AtomicFiles}). */
    public static void writeAtomic(Path file, String text) {
        deepalign.AtomicFiles.write(file, text);
    }

    static ObjectNode toNode(Example e) {
        ObjectNode o = MAPPER.createObjectNode();
        putIfNotNull(o, "id", e.id());
        o.put("prompt", e.prompt());
        putIfNotNull(o, "response", e.response());
        putIfNotNull(o, "refusal", e.refusal());
        putIfNotNull(o, "category", e.category());
        o.put("harmful", e.harmful());
        if (!e.choices().isEmpty()) {
            ArrayNode a = o.putArray("choices");
            e.choices().forEach(a::add);
        }
        putIfNotNull(o, "answer", e.answer());
        putIfNotNull(o, "target", e.target());
        return o;
    }

    private static Example toExample(Path file, int line, JsonNode n, int index) {
        if (!n.isObject()) throw lineError(file, line, "expected a JSON object");
        String prompt = text(file, line, n, "prompt");
        if (prompt == null) throw lineError(file, line, "the record has no 'prompt'");
        String id = text(file, line, n, "id");
        JsonNode harmful = n.get("harmful");
        if (harmful != null && !harmful.isNull() && !harmful.isBoolean()) {
            throw lineError(file, line, "'harmful' must be true or false");
        }
        List<String> choices = new ArrayList<>();
        JsonNode c = n.get("choices");
        if (c != null && !c.isNull()) {
            if (!c.isArray()) throw lineError(file, line, "'choices' must be an array of strings");
            for (JsonNode x : c) {
                if (!x.isValueNode() || x.isNull()) throw lineError(file, line, "'choices' must be an array of strings");
                choices.add(x.asText());
            }
        }
        return new Example(id == null ? String.valueOf(index) : id, prompt,
                text(file, line, n, "response"), text(file, line, n, "refusal"), text(file, line, n, "category"),
                harmful != null && harmful.asBoolean(), choices, text(file, line, n, "answer"),
                text(file, line, n, "target"));
    }

    // Strings and numbers are accepted (GSM8K answers and ids are often numbers); objects are not.
    private static String text(Path file, int line, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) throw lineError(file, line, "'" + field + "' must be a string");
        return v.asText();
    }

    private interface LineConsumer {
        void accept(int line, JsonNode node);
    }

    private static void forEachLine(Path file, LineConsumer consumer) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String s;
            int line = 0;
            while ((s = r.readLine()) != null) {
                line++;
                if (line == 1 && s.startsWith("\uFEFF")) s = s.substring(1);
                if (s.isBlank()) continue;
                JsonNode node;
                try {
                    node = MAPPER.readTree(s);
                } catch (JsonProcessingException e) {
                    throw lineError(file, line, "invalid JSON (" + e.getOriginalMessage() + ")");
                }
                consumer.accept(line, node);
            }
        } catch (IOException e) {
            throw new DeepalignException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static DeepalignException lineError(Path file, int line, String what) {
        return new DeepalignException(file + " line " + line + ": " + what + ".");
    }

    private static void putIfNotNull(ObjectNode o, String k, String v) {
        if (v != null) o.put(k, v);
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
    }
}
