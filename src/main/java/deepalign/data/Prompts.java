package deepalign.data;

import deepalign.DeepalignException;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain-text (no chat template) prompt formats of lm-evaluation-harness, so utility numbers are comparable
 * with published ones. Few-shot exemplars are joined with a blank line; a continuation starts with a space.
 */
public final class Prompts {
    private Prompts() {}

    /** Where GSM8K generation stops, as in the harness. */
    public static final List<String> GSM8K_STOP = List.of("Question:", "</s>", "<|im_end|>");

    /**
     * A multiple-choice item scored by log-likelihood: the score of option i is log p(continuations[i] | context).
     *
     * @param gold index of the correct continuation
     */
    public record McPrompt(String id, String context, List<String> continuations, int gold) {
        public McPrompt {
            continuations = List.copyOf(continuations);
        }
    }

    /**
     * MMLU: {@code "The following are multiple choice questions (with answers) about SUBJECT.\n\n"}, the shots,
     * then {@code "QUESTION\nA. ..\nB. ..\nC. ..\nD. ..\nAnswer:"}; the continuations are {@code " A"} .. {@code " D"}.
     * Underscores in the subject become spaces.
     */
    public static McPrompt mmlu(String subject, List<Example> shots, Example q) {
        StringBuilder sb = new StringBuilder("The following are multiple choice questions (with answers) about ")
                .append(subject.replace('_', ' ')).append(".\n\n");
        for (Example s : shots) sb.append(mmluQuestion(s)).append(' ').append(letter(gold(s))).append("\n\n");
        sb.append(mmluQuestion(q));
        List<String> continuations = new ArrayList<>();
        for (int i = 0; i < q.choices().size(); i++) continuations.add(" " + letter(i));
        return new McPrompt(q.id(), sb.toString(), continuations, gold(q));
    }

    /** One MMLU question with lettered options, ending in {@code "Answer:"}. */
    public static String mmluQuestion(Example q) {
        StringBuilder sb = new StringBuilder(q.prompt().strip());
        for (int i = 0; i < q.choices().size(); i++) sb.append('\n').append(letter(i)).append(". ").append(q.choices().get(i));
        return sb.append("\nAnswer:").toString();
    }

    /** ARC: {@code "Question: STEM\nAnswer:"}; the continuations are the option texts, each after a space. */
    public static McPrompt arc(List<Example> shots, Example q) {
        StringBuilder sb = new StringBuilder();
        for (Example s : shots) {
            sb.append("Question: ").append(s.prompt()).append("\nAnswer: ").append(s.choices().get(gold(s))).append("\n\n");
        }
        sb.append("Question: ").append(q.prompt()).append("\nAnswer:");
        return new McPrompt(q.id(), sb.toString(), q.choices().stream().map(c -> " " + c).toList(), gold(q));
    }

    /**
     * GSM8K: shots as {@code "Question: Q\nAnswer: WORKED ANSWER\n\n"} (calculator annotations removed), then
     * {@code "Question: Q\nAnswer:"}. The model generates the rest; stop at {@link #GSM8K_STOP}.
     */
    public static String gsm8k(List<Example> shots, Example q) {
        StringBuilder sb = new StringBuilder();
        for (Example s : shots) {
            if (s.response() == null) throw new DeepalignException("the GSM8K exemplar " + s.id() + " has no worked answer.");
            sb.append("Question: ").append(s.prompt()).append("\nAnswer: ")
                    .append(Gsm8k.stripCalculator(s.response())).append("\n\n");
        }
        return sb.append("Question: ").append(q.prompt()).append("\nAnswer:").toString();
    }

    private static String letter(int i) {
        return String.valueOf((char) ('A' + i));
    }

    private static int gold(Example e) {
        try {
            int g = Integer.parseInt(e.answer());
            if (g >= 0 && g < e.choices().size()) return g;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new DeepalignException("the multiple-choice example " + e.id() + " has no valid answer index (got '"
                + e.answer() + "' for " + e.choices().size() + " choices).");
    }
}
