package deepalign.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import deepalign.model.TinyModels;
import deepalign.model.Transformer;
import deepalign.train.AdamW;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class GradientByPositionTest {
    /** A fresh manager per test, closed by JUnit after it. */
    @AutoClose
    NDManager m = NDManager.newBaseManager();

    /** A separate computation: full-sequence forward, the log-prob at the slot before the target, one backward. */
    static double singleBackward(Transformer model, int[] ids, int target) {
        model.setRequiresGradient(true);
        AdamW.zeroGradients(model.parameterArrays());
        try (NDManager mm = NDManager.newBaseManager()) {
            long[] in = new long[ids.length];
            for (int i = 0; i < ids.length; i++) in[i] = ids[i];
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(mm.create(in, new Shape(1, in.length)), mm.ones(new Shape(1, in.length)), null);
                NDArray logp = logits.logSoftmax(-1).get(0, target - 1, ids[target]);
                gc.backward(logp);
            }
            double sq = 0;
            for (NDArray p : model.parameterArrays()) {
                double[] g = p.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                for (double x : g) sq += x * x;
            }
            AdamW.zeroGradients(model.parameterArrays());
            return Math.sqrt(sq);
        } finally {
            model.setRequiresGradient(false);
        }
    }

    @Test
    void normPerPositionMatchesASeparateSingleBackward() {
        Transformer model = TinyModels.random(TinyModels.llama(), m, 5);
        int[] prompt = {2, 4, 9, 13};
        int[] response = {20, 31, 7, 44};
        Responses.Scored s = new Responses.Scored(null, prompt, response);
        GradientByPosition.Config cfg = new GradientByPosition.Config(new int[] {1, 2, 3, 4});
        // Positions run in order through one model: a missing zeroing would inflate positions 2..4.
        PositionStats stats = GradientByPosition.stats(model, List.of(s), cfg, "test");
        for (int t = 1; t <= 4; t++) {
            double want = singleBackward(model, s.ids(), prompt.length + t - 1);
            assertThat(stats.meanAt(t)).as("position %d", t).isCloseTo(want, within(1e-4 * want));
            assertThat(want).isPositive();
        }
        assertThat(stats.n()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void averagesOverExamplesThatReachEachPosition() {
        Transformer model = TinyModels.random(TinyModels.llama(), m, 6);
        Responses.Scored a = new Responses.Scored(null, new int[] {2, 4}, new int[] {20, 21, 22});
        Responses.Scored b = new Responses.Scored(null, new int[] {2, 5, 6}, new int[] {30});
        GradientByPosition.Result r = GradientByPosition.run(model, List.of(a, b), List.of(), new GradientByPosition.Config(new int[] {1, 3}));
        assertThat(r.harmful().n()).containsExactly(2, 1);
        double g1a = GradientByPosition.norm(model, a.ids(), 2);
        double g1b = GradientByPosition.norm(model, b.ids(), 3);
        assertThat(r.harmful().mean()[0]).isCloseTo((g1a + g1b) / 2, within(1e-6 * g1a));
        assertThat(r.harmful().stderr()[0]).isCloseTo(PositionStats.stderr(new double[] {g1a, g1b}), within(1e-6 * g1a));
        assertThat(r.benign().n()).containsExactly(0, 0);
    }
}
