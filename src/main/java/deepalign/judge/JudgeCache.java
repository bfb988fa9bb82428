package deepalign.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import deepalign.DeepalignException;
import deepalign.data.Jsonl;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Append-only JSONL record of judged pairs, one line {@code {"key", "score", "reason"}} per pair, keyed by a
 * SHA-256 of judge model, prompt and response. Each result is appended the moment it arrives, so an interrupted
 * run resumes where it stopped and never pays twice. A torn last line (the process died mid-write) is removed.
 * Without a file the cache lives in memory only.
 */
final class JudgeCache {
    private final Path file; // null: memory only
    private final Map<String, JudgeRubric.Scored> entries = new ConcurrentHashMap<>();
    private boolean needsNewline;

    JudgeCache(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) load(file);
    }

    static String key(String model, String prompt, String response) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {model, prompt, response == null ? "" : response}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                // length-prefix each part so that ("ab","c") and ("a","bc") differ
                sha.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
                sha.update(b);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    JudgeRubric.Scored get(String key) {
        return entries.get(key);
    }

    int size() {
        return entries.size();
    }

    synchronized void put(String key, JudgeRubric.Scored scored) {
        entries.put(key, scored);
        if (file == null) return;
        ObjectNode o = Jsonl.MAPPER.createObjectNode();
        o.put("key", key);
        if (scored.score() == null) o.putNull("score");
        else o.put("score", scored.score());
        o.put("reason", scored.reason());
        if (needsNewline) { // finish a torn last line so the new record starts on its own line
            try {
                Files.writeString(file, "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new DeepalignException("cannot write the judge cache " + file + ": " + e.getMessage(), e);
            }
            needsNewline = false;
        }
        Jsonl.appendLine(file, o);
    }

    private void load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            needsNewline = endsWithoutNewline(file);
        } catch (IOException e) {
            throw new DeepalignException("cannot read the judge cache " + file + ": " + e.getMessage(), e);
        }
        int last = lines.size() - 1;
        while (last >= 0 && lines.get(last).isBlank()) last--;
        for (int i = 0; i <= last; i++) {
            String s = lines.get(i);
            if (s.isBlank()) continue;
            JsonNode n = parseLine(s);
            if (n == null) {
                if (i == last) { // torn last line: drop it; that pair is judged again
                    dropLastLine(file);
                    break;
                }
                throw new DeepalignException(file + " line " + (i + 1) + ": not a judge cache record; delete the file"
                        + " or pass another cache.");
            }
            JsonNode score = n.get("score");
            entries.put(n.get("key").asText(), new JudgeRubric.Scored(
                    score == null || score.isNull() ? null : score.asInt(), n.path("reason").asText("")));
        }
    }

    private static JsonNode parseLine(String s) {
        try {
            JsonNode n = Jsonl.MAPPER.readTree(s);
            return n != null && n.isObject() && n.hasNonNull("key") ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private void dropLastLine(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long end = f.length();
            while (end > 0) { // skip newlines after the torn line itself
                f.seek(end - 1);
                int c = f.read();
                if (c != '\n' && c != '\r') break;
                end--;
            }
            long pos = end - 1;
            while (pos >= 0) {
                f.seek(pos);
                if (f.read() == '\n') break;
                pos--;
            }
            f.setLength(pos + 1);
            needsNewline = false;
        } catch (IOException e) {
            throw new DeepalignException("cannot repair the judge cache " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean endsWithoutNewline(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (f.length() == 0) return false;
            f.seek(f.length() - 1);
            return f.read() != '\n';
        }
    }
}
