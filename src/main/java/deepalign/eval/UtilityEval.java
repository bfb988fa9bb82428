package deepalign.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import deepalign.DeepalignException;
import deepalign.data.AnswerExtraction;
import deepalign.data.Example;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.model.Workers;
import deepalign.train.Batch;
import deepalign.train.Losses;
import deepalign.train.Sequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Utility: multiple choice by the log-likelihood of each option as the assistant's answer (accuracy
 * and length-normalised accuracy, as lm-evaluation-harness scores MMLU/ARC), and math by greedy
 * generation with answer extraction (number after ####, else the last number).
 */
public final class UtilityEval {
    /** Summary and per-question records. */
    public record Result(String task, int n, double accuracy, Double accuracyNorm, Double strictAccuracy, List<Map<String, Object>> records) {}

    private UtilityEval() {}

    public static Result multipleChoice(LanguageModel model, List<Example> data, int batchSize) {
        List<Sequence> seqs = new ArrayList<>();
        for (Example ex : data) {
            if (ex.choices().isEmpty() || ex.answer() == null) {
                throw new DeepalignException("multiple-choice item " + ex.id() + " needs choices and an answer index");
            }
            int[] prompt = model.chat().encodePrompt(null, ex.prompt());
            for (String choice : ex.choices()) seqs.add(Sequence.promptResponse(prompt, model.tokenizer().encode(choice)));
        }
        return rank(data, sequenceLogProbs(model, seqs, batchSize));
    }

    /** Accuracy and length-normalised accuracy (by characters, as lm-eval's acc_norm), shared by the plain and the defended (Target) scorers. */
    static Result rank(List<Example> data, double[] scores) {
        int correct = 0;
        int correctNorm = 0;
        int k = 0;
        List<Map<String, Object>> records = new ArrayList<>();
        for (Example ex : data) {
            int c = ex.choices().size();
            double[] ll = Arrays.copyOfRange(scores, k, k + c);
            k += c;
            int best = 0;
            int bestNorm = 0;
            for (int i = 1; i < c; i++) {
                if (ll[i] > ll[best]) best = i;
                if (ll[i] / ex.choices().get(i).length() > ll[bestNorm] / ex.choices().get(bestNorm).length()) bestNorm = i;
            }
            int gold;
            try {
                gold = Integer.parseInt(ex.answer().trim());
            } catch (NumberFormatException e) {
                throw new DeepalignException("multiple-choice item " + ex.id() + " has answer '" + ex.answer() + "'; expected an option index");
            }
            if (best == gold) correct++;
            if (bestNorm == gold) correctNorm++;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", ex.id());
            r.put("prompt", ex.prompt());
            r.put("choices", ex.choices());
            r.put("gold", gold);
            r.put("predicted", best);
            r.put("loglik", ll);
            records.add(r);
        }
        int n = data.size();
        return new Result("mc", n, n == 0 ? 0 : (double) correct / n, n == 0 ? 0 : (double) correctNorm / n, null, records);
    }

    /** Sum of log p(response tokens | prompt) for each sequence; batches run on the {@link Workers}. */
    public static double[] sequenceLogProbs(LanguageModel model, List<Sequence> seqs, int batchSize) {
        List<Callable<float[]>> batches = new ArrayList<>();
        for (int start = 0; start < seqs.size(); start += batchSize) {
            List<Sequence> chunk = seqs.subList(start, Math.min(seqs.size(), start + batchSize));
            batches.add(() -> {
                try (NDManager m = NDManager.newBaseManager();
                        Batch b = Batch.of(m, chunk, model.padId());
                        NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray logits = model.transformer().forward(b.inputs(), b.mask(), null);
                    return Losses.targetLogProbs(logits, b.targets()).mul(b.weights()).sum(new int[] {1}).toFloatArray();
                }
            });
        }
        double[] out = new double[seqs.size()];
        int i = 0;
        for (float[] sums : Workers.map(batches)) for (float v : sums) out[i++] = v;
        return out;
    }

    public static Result math(LanguageModel model, List<Example> data, GenerationConfig gen) {
        List<int[]> prompts = new ArrayList<>();
        for (Example ex : data) {
            if (ex.answer() == null) throw new DeepalignException("math item " + ex.id() + " has no gold answer");
            prompts.add(model.chat().encodePrompt(null, ex.prompt()));
        }
        List<Generator.Generation> gens = model.generator().generate(prompts, gen);
        List<String> responses = new ArrayList<>();
        for (Generator.Generation g : gens) responses.add(model.decode(g.tokens()));
        return scoreMath(data, responses);
    }

    /** Scores saved or fresh generations: strict (#### N) and flexible (extract: #### else last number). */
    public static Result scoreMath(List<Example> data, List<String> responses) {
        int correct = 0;
        int strict = 0;
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Example ex = data.get(i);
            String resp = responses.get(i);
            String flexible = AnswerExtraction.extract(resp).orElse(null);
            String strictAns = AnswerExtraction.strict(resp).orElse(null);
            boolean ok = flexible != null && AnswerExtraction.numbersEqual(flexible, ex.answer());
            boolean okStrict = strictAns != null && AnswerExtraction.numbersEqual(strictAns, ex.answer());
            if (ok) correct++;
            if (okStrict) strict++;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", ex.id());
            r.put("question", ex.prompt());
            r.put("response", resp);
            r.put("answer", ex.answer());
            r.put("extracted", flexible);
            r.put("correct", ok);
            records.add(r);
        }
        int n = data.size();
        return new Result("math", n, n == 0 ? 0 : (double) correct / n, null, n == 0 ? 0 : (double) strict / n, records);
    }
}
