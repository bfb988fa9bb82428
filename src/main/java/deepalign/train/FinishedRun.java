package deepalign.train;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.report.JsonOut;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Lets a pipeline that is run again into the same folder (the demo, `train recover`) continue where it stopped
 * instead of training again or failing. Every trainer writes DIR/config.json (its config under "config") when it
 * starts and DIR/result.json after DIR/model; a folder with both, whose config equals the one asked for, holds a
 * finished run that can be reused. A finished run of another config is an error, never silently reused.
 */
public final class FinishedRun {
    private FinishedRun() {}

    /** Whether {@code dir} holds a finished run (of any configuration): DIR/result.json, written last, and DIR/model. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("result.json")) && Files.isDirectory(dir.resolve("model"));
    }

    /** The saved result of a finished run of {@code config} in {@code dir}; empty when {@code dir} holds no finished run. */
    public static <R> Optional<R> find(Path dir, Object config, Class<R> resultType) {
        if (!exists(dir)) return Optional.empty();
        requireSameConfig(dir, config, "a finished run");
        System.err.println("reusing the finished run in " + dir + " (same configuration)");
        return Optional.of(JsonOut.read(dir.resolve("result.json"), resultType));
    }

    /** Throws unless DIR/config.json records {@code config} (compared as JSON, so paths and numbers as they are written). */
    static void requireSameConfig(Path dir, Object config, String what) {
        Path saved = dir.resolve("config.json");
        JsonNode savedConfig = Files.isRegularFile(saved) ? JsonOut.read(saved, JsonNode.class).get("config") : null;
        // through text, as the saved one went: a tree built from the object keeps longs and floats that a parse reads as ints and doubles
        JsonNode asked;
        try {
            asked = JsonOut.mapper().readTree(JsonOut.toJson(config));
        } catch (java.io.IOException e) {
            throw new DeepalignException("cannot compare the configuration of " + dir + ": " + e.getMessage(), e);
        }
        if (savedConfig == null || !normalized(savedConfig).equals(normalized(asked))) {
            throw new DeepalignException(dir + " holds " + what + " with another configuration (" + saved + "); choose another output folder or remove it");
        }
    }

    /** Jackson writes a Path as a file URI, with a trailing slash only if the folder existed at the time: drop it. */
    private static JsonNode normalized(JsonNode node) {
        if (node.isTextual() && node.asText().startsWith("file:") && node.asText().endsWith("/")) {
            String t = node.asText();
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(t.substring(0, t.length() - 1));
        }
        if (node.isObject()) {
            var copy = JsonOut.mapper().createObjectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), normalized(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonOut.mapper().createArrayNode();
            node.forEach(e -> copy.add(normalized(e)));
            return copy;
        }
        return node;
    }
}
