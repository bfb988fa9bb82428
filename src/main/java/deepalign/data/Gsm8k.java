package deepalign.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GSM8K JSONL ({@code question}, {@code answer}; the answer's reasoning carries calculator annotations
 * {@code <<48/2=24>>} and ends with {@code #### N}). Examples keep the full worked answer as {@code response}
 * and the final number as {@code answer}.
 */
public final class Gsm8k {
    private Gsm8k() {}

    public static List<Example> load(Path jsonl) {
        List<Example> out = new ArrayList<>();
        for (Jsonl.Line l : Jsonl.readLines(jsonl)) {
            String question = l.node().path("question").asText(null);
            String answer = l.node().path("answer").asText(null);
            if (question == null) throw Jsonl.lineError(jsonl, l.number(), "the record has no 'question'");
            if (answer == null) throw Jsonl.lineError(jsonl, l.number(), "the record has no 'answer'");
            String gold = AnswerExtraction.strict(answer).orElseThrow(() ->
                    Jsonl.lineError(jsonl, l.number(), "the answer does not end with '#### NUMBER'"));
            out.add(new Example("gsm8k-" + out.size(), question, answer, null, "gsm8k", false, List.of(), gold, null));
        }
        return out;
    }

    /** Removes calculator annotations: {@code "48/2 = <<48/2=24>>24"} becomes {@code "48/2 = 24"}. */
    public static String stripCalculator(String answer) {
        return answer.replaceAll("<<[^>]*>>", "");
    }
}
