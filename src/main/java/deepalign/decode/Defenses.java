package deepalign.decode;

import deepalign.DeepalignException;
import deepalign.attack.Target;
import deepalign.model.LanguageModel;
import deepalign.tokenize.Tokenizer;
import java.util.Locale;

/** Inference-time defenses, as {@link Target}s that attacks and utility evaluations run against unchanged. */
public final class Defenses {
    private Defenses() {}

    /** The model as it is. */
    public static Target none(LanguageModel model) {
        return Target.of("none", model);
    }

    /**
     * Contrastive decoding of {@code aligned} against {@code base} (see {@link ContrastiveStepModel}): prompts
     * are framed by the aligned model's tokenizer and chat template, and each generation batch gets a fresh
     * pair of KV caches. Refuses models whose tokenizers differ, naming both files and the first differing id.
     */
    public static Target contrastive(LanguageModel aligned, LanguageModel base, double alpha, Double beta) {
        return contrastive(aligned, base, alpha, beta, null);
    }

    /** As above, contrasting only at positions whose base-favored mass is at least {@code gate} (ours; null: everywhere). */
    public static Target contrastive(LanguageModel aligned, LanguageModel base, double alpha, Double beta, Double gate) {
        ContrastiveStepModel.checkArgs(alpha, beta, gate);
        String diff = Tokenizer.firstDifference(aligned.tokenizer(), base.tokenizer());
        if (diff != null) throw new DeepalignException("contrastive decoding needs one tokenizer for both models: " + diff);
        if (aligned.config().vocabSize() != base.config().vocabSize()) {
            throw new DeepalignException("contrastive decoding needs one vocabulary, but " + aligned.dir() + " has vocab_size "
                    + aligned.config().vocabSize() + " and " + base.dir() + " has " + base.config().vocabSize() + ".");
        }
        return new Target(describeContrastive(alpha, beta, gate), aligned,
                () -> new ContrastiveStepModel(aligned.transformer(), base.transformer(), alpha, beta, gate));
    }

    /** Report label, e.g. "contrastive(alpha=1.0)", "contrastive(alpha=1.0, beta=0.1)" or "contrastive(alpha=4.0, gate=0.3)". */
    public static String describeContrastive(double alpha, Double beta, Double gate) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "contrastive(alpha=%s", alpha));
        if (beta != null) s.append(String.format(Locale.ROOT, ", beta=%s", beta));
        if (gate != null) s.append(String.format(Locale.ROOT, ", gate=%s", gate));
        return s.append(')').toString();
    }
}
