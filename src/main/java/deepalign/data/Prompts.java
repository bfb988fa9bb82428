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

    /** The harness's target_delimiter: what separates the context from each scored choice. */
    public static final String TARGET_DELIMITER = " ";

    /**
     * A multiple-choice item scored by log-likelihood: the score of option i is log p(continuations[i] | context),
     * where a continuation is the delimiter and the choice; acc_norm divides by the choice's length in characters,
     * delimiter excluded, as the harness does.
     *
     * @param choices the harness's doc_to_choice strings ("A".."D" for MMLU, the option texts for ARC)
     * @param gold    index of the correct choice
     */
    public record McPrompt(String id, String context, List<String> choices, int gold) {
        public McPrompt {
            choices = List.copyOf(choices);
        }

        public List<String> continuations() {
            return choices.stream().map(c -> TARGET_DELIMITER + c).toList();
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
        List<String> letters = new ArrayList<>();
        for (int i = 0; i < q.choices().size(); i++) letters.add(letter(i));
        return new McPrompt(q.id(), sb.toString(), letters, gold(q));
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
        return new McPrompt(q.id(), sb.toString(), q.choices(), gold(q));
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
