package deepalign.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import deepalign.attack.Target;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.decode.ContrastiveStepModel;
import deepalign.decode.Defenses;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.organism.Organism;
import deepalign.testing.TinyOrganism;
import deepalign.train.Losses;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TargetUtilityEvalTest {
    static NDManager manager;
    static LanguageModel aligned;
    static LanguageModel base;
    static List<Example> mc;
    static List<Example> math;

    @BeforeAll
    static void load() {
        Organism o = TinyOrganism.get();
        manager = NDManager.newBaseManager();
        aligned = LanguageModel.load(o.aligned(), manager);
        base = LanguageModel.load(o.base(), manager);
        mc = Jsonl.readExamples(o.data("utility_mc_test")).subList(0, 5);
        math = Jsonl.readExamples(o.data("utility_math_test")).subList(0, 4);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @SuppressWarnings("unchecked")
    private static double[] loglik(UtilityEval.Result r, int i) {
        return (double[]) r.records().get(i).get("loglik");
    }

    @Test
    void plainTargetMatchesFullForwardScoring() {
        UtilityEval.Result full = UtilityEval.multipleChoice(aligned, mc, 8);
        UtilityEval.Result stepwise = TargetUtilityEval.multipleChoice(Target.of("aligned", aligned), mc, 3); // batches split items
        assertThat(stepwise.n()).isEqualTo(5);
        assertThat(stepwise.accuracy()).isEqualTo(full.accuracy());
        assertThat(stepwise.accuracyNorm()).isEqualTo(full.accuracyNorm());
        for (int i = 0; i < mc.size(); i++) {
            double[] a = loglik(full, i);
            double[] b = loglik(stepwise, i);
            for (int c = 0; c < a.length; c++) assertThat(b[c]).isCloseTo(a[c], within(1e-3));
            assertThat(stepwise.records().get(i).get("predicted")).isEqualTo(full.records().get(i).get("predicted"));
        }
    }

    @Test
    void contrastiveScoresAreLogSoftmaxOfTheCombinedLogits() {
        double alpha = 1.0;
        UtilityEval.Result r = TargetUtilityEval.multipleChoice(Defenses.contrastive(aligned, base, alpha, null), mc.subList(0, 1), 4);
        Example ex = mc.get(0);
        int[] prompt = aligned.chat().encodePrompt(null, ex.prompt());
        double[] got = loglik(r, 0);
        for (int c = 0; c < ex.choices().size(); c++) {
            int[] opt = aligned.tokenizer().encode(ex.choices().get(c));
            long[] ids = new long[prompt.length + opt.length];
            for (int i = 0; i < prompt.length; i++) ids[i] = prompt[i];
            for (int i = 0; i < opt.length; i++) ids[prompt.length + i] = opt[i];
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray in = m.create(ids, new Shape(1, ids.length));
                NDArray mask = m.ones(new Shape(1, ids.length));
                NDArray z = ContrastiveStepModel.combine(aligned.transformer().forward(in, mask, null), base.transformer().forward(in, mask, null), alpha, null);
                long[] next = new long[ids.length];
                System.arraycopy(ids, 1, next, 0, ids.length - 1);
                float[] lp = Losses.targetLogProbs(z, m.create(next, new Shape(1, ids.length))).toFloatArray();
                double want = 0;
                for (int t = prompt.length - 1; t < ids.length - 1; t++) want += lp[t];
                assertThat(got[c]).as("option %d", c).isCloseTo(want, within(1e-3));
            }
        }
    }

    @Test
    void mathThroughAPlainTargetIsPlainMath() {
        GenerationConfig gen = GenerationConfig.greedy(12).withBatchSize(3);
        UtilityEval.Result plain = UtilityEval.math(aligned, math, gen);
        UtilityEval.Result viaTarget = TargetUtilityEval.math(Target.of("aligned", aligned), math, gen);
        assertThat(viaTarget.accuracy()).isEqualTo(plain.accuracy());
        for (int i = 0; i < math.size(); i++) {
            assertThat(viaTarget.records().get(i).get("response")).isEqualTo(plain.records().get(i).get("response"));
        }
        UtilityEval.Result cd = TargetUtilityEval.math(Defenses.contrastive(aligned, base, 1.0, 0.1), math, gen);
        assertThat(cd.n()).isEqualTo(4);
    }
}
