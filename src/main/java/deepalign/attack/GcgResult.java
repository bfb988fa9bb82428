package deepalign.attack;

import deepalign.judge.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GCG on one prompt.
 *
 * @param attempt     the judged generation with the final suffix ({@code injected} is the suffix text)
 * @param suffix      the suffix as text (appended to the prompt after a space)
 * @param suffixIds   the suffix's token ids
 * @param target      the target string the loss pulls toward
 * @param losses      target loss of the current suffix: index 0 before any step, index s after step s
 * @param steps       optimisation steps run (fewer than configured after an early success)
 * @param checks      generations judged during the run (periodic and greedy-target checks, plus the final one)
 * @param retokenizes whether the prompt + suffix text, rendered and encoded, gives exactly the optimised ids
 * @param targetProbs p(target_j | prompt, final suffix, target_<j) per target token: on an aligned model the
 *                    first is the refusal decision, so a low first and high later probabilities mean the suffix
 *                    taught the continuation but not the opening
 * @param seconds     wall time for this prompt
 */
public record GcgResult(
        Attempt attempt,
        String suffix,
        int[] suffixIds,
        String target,
        List<Double> losses,
        int steps,
        int checks,
        boolean retokenizes,
        double[] targetProbs,
        double seconds) {

    public GcgResult {
        losses = List.copyOf(losses);
    }

    /** p(first target token): whether the suffix flipped the opening. */
    public double firstTargetProb() {
        return targetProbs.length == 0 ? Double.NaN : targetProbs[0];
    }

    /** Mean p over the target tokens after the first (NaN for a one-token target). */
    public double laterTargetProb() {
        if (targetProbs.length < 2) return Double.NaN;
        double s = 0;
        for (int j = 1; j < targetProbs.length; j++) s += targetProbs[j];
        return s / (targetProbs.length - 1);
    }

    public boolean success() {
        return attempt.result().verdict() == Verdict.HARMFUL;
    }

    public double initialLoss() {
        return losses.get(0);
    }

    public double finalLoss() {
        return losses.get(losses.size() - 1);
    }

    public double bestLoss() {
        return losses.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** One JSON record: the safety fields (id, prompt, response, verdict) plus the optimisation trace. */
    public Map<String, Object> record() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", attempt.example().id());
        r.put("prompt", attempt.example().prompt());
        if (attempt.example().category() != null) r.put("category", attempt.example().category());
        r.put("target", target);
        r.put("suffix", suffix);
        r.put("suffix_ids", suffixIds);
        r.put("response", attempt.response());
        r.put("verdict", attempt.result().verdict().label());
        if (attempt.result().reason() != null) r.put("reason", attempt.result().reason());
        r.put("success", success());
        r.put("steps", steps);
        r.put("checks", checks);
        r.put("retokenizes", retokenizes);
        r.put("initial_loss", initialLoss());
        r.put("final_loss", finalLoss());
        r.put("best_loss", bestLoss());
        r.put("target_probs", targetProbs);
        r.put("seconds", seconds);
        r.put("losses", losses);
        return r;
    }
}
