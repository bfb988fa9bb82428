package deepalign.data;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ARC (e.g. ARC-Challenge) JSONL. Accepts AI2's layout ({@code question.stem}, {@code question.choices[].label/text},
 * {@code answerKey}) and the Hugging Face layout ({@code question}, {@code choices.text[]/label[]}, {@code answerKey}).
 * Labels may be A-E or 1-5; the gold {@code answer} is the index of the option whose label is the answer key.
 */
public final class Arc {
    private Arc() {}

    public static List<Example> load(Path jsonl) {
        List<Example> out = new ArrayList<>();
        for (Jsonl.Line l : Jsonl.readLines(jsonl)) out.add(parse(jsonl, l.number(), l.node(), out.size()));
        return out;
    }

    private static Example parse(Path file, int line, JsonNode n, int index) {
        JsonNode q = n.path("question");
        String stem;
        List<String> labels = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        if (q.isObject()) { // AI2
            stem = q.path("stem").asText(null);
            for (JsonNode c : q.path("choices")) {
                labels.add(c.path("label").asText());
                texts.add(c.path("text").asText());
            }
        } else { // Hugging Face
            stem = q.isTextual() ? q.asText() : null;
            for (JsonNode t : n.path("choices").path("text")) texts.add(t.asText());
            for (JsonNode t : n.path("choices").path("label")) labels.add(t.asText());
        }
        if (stem == null) throw Jsonl.lineError(file, line, "the record has no question stem");
        if (texts.isEmpty() || labels.size() != texts.size()) {
            throw Jsonl.lineError(file, line, "the record's choices need one label per text");
        }
        String key = n.path("answerKey").asText("").trim();
        int gold = labels.indexOf(key);
        if (gold < 0) throw Jsonl.lineError(file, line, "the answerKey '" + key + "' is not among the labels " + labels);
        String id = n.hasNonNull("id") ? n.get("id").asText() : "arc-" + index;
        return new Example(id, stem, null, null, "arc", false, texts, String.valueOf(gold), null);
    }
}
