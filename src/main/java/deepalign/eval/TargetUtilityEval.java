package deepalign.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import deepalign.attack.Target;
import deepalign.data.Example;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.model.StepModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link UtilityEval} against a {@link Target}, so that a decoding-time defense is scored on the
 * distribution it actually samples from: math by generating through the target's step model, and
 * multiple choice by the log-likelihood of each option under {@code log_softmax} of the step model's
 * logits (for contrastive decoding, {@code log_softmax(z_CD)}), teacher-forced one token at a time.
 * On a plain target this equals {@link UtilityEval#multipleChoice} up to float rounding.
 */
public final class TargetUtilityEval {
    private TargetUtilityEval() {}

    public static UtilityEval.Result math(Target target, List<Example> data, GenerationConfig gen) {
        LanguageModel model = target.model();
        List<int[]> prompts = new ArrayList<>();
        for (Example ex : data) {
            if (ex.answer() == null) throw new DeepalignException("math item " + ex.id() + " has no gold answer");
            prompts.add(model.chat().encodePrompt(null, ex.prompt()));
        }
        List<String> responses = new ArrayList<>();
        for (Generator.Generation g : target.generator().generate(prompts, gen)) responses.add(model.decode(g.tokens()));
        return UtilityEval.scoreMath(data, responses);
    }

    public static UtilityEval.Result multipleChoice(Target target, List<Example> data, int batchSize) {
        if (batchSize < 1) throw new DeepalignException("the batch size must be at least 1, got " + batchSize + ".");
        LanguageModel model = target.model();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> options = new ArrayList<>();
        for (Example ex : data) {
            if (ex.choices().isEmpty() || ex.answer() == null) {
                throw new DeepalignException("multiple-choice item " + ex.id() + " needs choices and an answer index");
            }
            int[] prompt = model.chat().encodePrompt(null, ex.prompt());
            for (String choice : ex.choices()) {
                prompts.add(prompt);
                options.add(model.tokenizer().encode(choice));
            }
        }
        double[] scores = new double[prompts.size()];
        for (int start = 0; start < prompts.size(); start += batchSize) {
            int end = Math.min(prompts.size(), start + batchSize);
            double[] part = optionLogProbs(target, prompts.subList(start, end), options.subList(start, end), model.padId());
            System.arraycopy(part, 0, scores, start, part.length);
        }
        return UtilityEval.rank(data, scores);
    }

    /** Sum over each option's tokens of log_softmax(step logits)[token], the prompt left-padded, options fed one token per step. */
    static double[] optionLogProbs(Target target, List<int[]> prompts, List<int[]> options, int padId) {
        int b = prompts.size();
        int maxPrompt = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        int maxOpt = options.stream().mapToInt(o -> o.length).max().orElse(0);
        double[] sums = new double[b];
        if (maxOpt == 0) return sums;
        long[] ids = new long[b * maxPrompt];
        float[] maskRows = new float[b * maxPrompt];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            int[] p = prompts.get(r);
            int off = r * maxPrompt + (maxPrompt - p.length);
            for (int i = 0; i < p.length; i++) {
                ids[off + i] = p[i];
                maskRows[off + i] = 1f;
            }
        }
        try (StepModel steps = target.steps().get();
                NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(maskRows, new Shape(b, maxPrompt));
            NDArray logits = steps.prefill(m.create(ids, new Shape(b, maxPrompt)), mask);
            for (int j = 0; j < maxOpt; j++) {
                long[] want = new long[b];
                for (int r = 0; r < b; r++) want[r] = j < options.get(r).length ? options.get(r)[j] : padId;
                NDArray wanted = m.create(want, new Shape(b, 1));
                float[] lp;
                try (NDArray logp = logits.logSoftmax(-1); NDArray picked = logp.gather(wanted, -1)) {
                    lp = picked.toFloatArray();
                }
                logits.close();
                for (int r = 0; r < b; r++) if (j < options.get(r).length) sums[r] += lp[r];
                if (j == maxOpt - 1) break;
                NDArray grown = mask.concat(m.ones(new Shape(b, 1)), 1);
                mask.close();
                mask = grown;
                logits = steps.step(wanted, mask); // teacher forcing; rows past their option's end are ignored
            }
        }
        return sums;
    }
}
