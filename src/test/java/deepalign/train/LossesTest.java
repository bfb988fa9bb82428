package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LossesTest {
    private static double logSumExp(double... z) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) m = Math.max(m, v);
        double s = 0;
        for (double v : z) s += Math.exp(v - m);
        return m + Math.log(s);
    }

    @Test
    void weightedCrossEntropyMatchesHandComputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            // one row, two slots, vocab 3
            NDArray logits = m.create(new float[] {1, 2, 3, 0, 0, 1}, new Shape(1, 2, 3));
            NDArray targets = m.create(new long[] {2, 0}, new Shape(1, 2));
            NDArray weights = m.create(new float[] {1, 0.5f}, new Shape(1, 2));
            double nll0 = logSumExp(1, 2, 3) - 3;
            double nll1 = logSumExp(0, 0, 1) - 0;
            double expected = (1 * nll0 + 0.5 * nll1) / 1.5;
            assertThat((double) Losses.crossEntropy(logits, targets, weights).getFloat()).isCloseTo(expected, offset(1e-5));
        }
    }

    @Test
    void distillKlHasTheTauSquaredFactor() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray student = m.create(new float[] {0.5f, -1f, 2f}, new Shape(1, 1, 3));
            NDArray teacher = m.create(new float[] {1f, 0f, -1f}, new Shape(1, 1, 3));
            NDArray w = m.ones(new Shape(1, 1));
            double tau = 2.0;
            double[] s = {0.25, -0.5, 1.0};
            double[] t = {0.5, 0.0, -0.5};
            double ls = logSumExp(s);
            double lt = logSumExp(t);
            double kl = 0;
            for (int v = 0; v < 3; v++) kl += Math.exp(t[v] - lt) * ((t[v] - lt) - (s[v] - ls));
            assertThat((double) Losses.distillKl(student, teacher, w, tau).getFloat()).isCloseTo(tau * tau * kl, offset(1e-5));
            assertThat((double) Losses.distillKl(teacher, teacher, w, tau).getFloat()).isCloseTo(0.0, offset(1e-6));
        }
    }
}
