package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class CompletionLossTest {
    /** A fresh manager per test, closed by JUnit after it. */
    @AutoClose
    NDManager m = NDManager.newBaseManager();

    static double[] logSoftmax(double[] z, double tau) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v / tau);
        double s = 0;
        for (double v : z) s += Math.exp(v / tau - max);
        double lse = max + Math.log(s);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) out[i] = z[i] / tau - lse;
        return out;
    }

    private NDArray row(double... z) {
        float[] f = new float[z.length];
        for (int i = 0; i < z.length; i++) f[i] = (float) z[i];
        return m.create(f, new Shape(1, z.length));
    }

    @Test
    void renormalisedTruncatedKlMatchesHandComputationWithTauSquared() {
        double[] z = {1.0, 2.0, 0.5, -1.0, 0.0};
        double tau = 2.0;
        // a teacher that kept 2 of 5 entries holding 0.35 and 0.15 of its mass: renormalised 0.7 / 0.3
        NDArray idx = m.create(new long[] {3, 1}, new Shape(1, 2));
        NDArray lp = m.create(new float[] {(float) Math.log(0.35), (float) Math.log(0.15)}, new Shape(1, 2));
        double a = Math.log(0.7), b = Math.log(0.3);
        double[] logQ = logSoftmax(z, tau);
        double hand = tau * tau * (0.7 * (a - logQ[3]) + 0.3 * (b - logQ[1]));
        float got = CompletionLoss.distillKl(row(z), idx, lp, tau, TeacherCache.Tail.RENORMALISE).getFloat(0);
        assertThat(got).isCloseTo((float) hand, within(1e-5f));
        // tau^2 is there: at tau = 1 the same teacher gives the plain KL
        double[] logQ1 = logSoftmax(z, 1);
        double plain = 0.7 * (a - logQ1[3]) + 0.3 * (b - logQ1[1]);
        assertThat(CompletionLoss.distillKl(row(z), idx, lp, 1.0, TeacherCache.Tail.RENORMALISE).getFloat(0)).isCloseTo((float) plain, within(1e-5f));
    }

    @Test
    void bucketTruncatedKlAddsTheOtherTokensOutcome() {
        double[] z = {1.0, 2.0, 0.5, -1.0, 0.0};
        double tau = 2.0;
        NDArray idx = m.create(new long[] {3, 1}, new Shape(1, 2));
        NDArray lp = m.create(new float[] {(float) Math.log(0.35), (float) Math.log(0.15)}, new Shape(1, 2));
        double[] logQ = logSoftmax(z, tau);
        double qRest = 1 - Math.exp(logQ[3]) - Math.exp(logQ[1]);
        double hand = tau * tau * (0.35 * (Math.log(0.35) - logQ[3]) + 0.15 * (Math.log(0.15) - logQ[1]) + 0.5 * (Math.log(0.5) - Math.log(qRest)));
        assertThat(CompletionLoss.distillKl(row(z), idx, lp, tau, TeacherCache.Tail.BUCKET).getFloat(0)).isCloseTo((float) hand, within(1e-5f));
    }

    @Test
    void aStudentEqualToTheTeacherHasZeroBucketKlButNotZeroRenormalisedKl() {
        double[] z = {1.0, 2.0, 0.5, -1.0, 0.0, 0.3};
        double tau = 2.0;
        double[] lt = logSoftmax(z, tau);
        // keep the top 3 of 6: ids 1, 0, 2
        NDArray idx = m.create(new long[] {1, 0, 2}, new Shape(1, 3));
        NDArray lp = m.create(new float[] {(float) lt[1], (float) lt[0], (float) lt[2]}, new Shape(1, 3));
        assertThat(CompletionLoss.distillKl(row(z), idx, lp, tau, TeacherCache.Tail.BUCKET).getFloat(0)).isCloseTo(0f, within(1e-5f));
        assertThat(CompletionLoss.distillKl(row(z), idx, lp, tau, TeacherCache.Tail.RENORMALISE).getFloat(0)).isGreaterThan(0.5f);
    }

    @Test
    void fullTeacherGivesTheExactKlOfLossesInBothTailForms() {
        double[] zs = {0.3, -0.2, 1.5, 0.7};
        double[] zt = {1.0, 0.1, -0.4, 0.9};
        double tau = 2.0;
        double[] lt = logSoftmax(zt, tau);
        float[] lpf = new float[4];
        for (int i = 0; i < 4; i++) lpf[i] = (float) lt[i];
        NDArray idx = m.create(new long[] {0, 1, 2, 3}, new Shape(1, 4));
        float reference = Losses.distillKl(row(zs).expandDims(0), row(zt).expandDims(0), m.ones(new Shape(1, 1)), tau).getFloat();
        for (TeacherCache.Tail tail : TeacherCache.Tail.values()) {
            float ours = CompletionLoss.distillKl(row(zs), idx, m.create(lpf, new Shape(1, 4)), tau, tail).getFloat(0);
            assertThat(ours).as(tail.name()).isCloseTo(reference, within(1e-5f));
        }
    }

    @Test
    void probL2SumsSquaredStudentProbabilitiesOverTheSetOnly() {
        double[] z = {2.0, 0.0, 1.0, -1.0};
        double[] lp = logSoftmax(z, 1);
        // B_t = {0, 2}; the third slot is padding (id 1) and must not count
        NDArray fav = m.create(new long[] {0, 2, 1}, new Shape(1, 3));
        NDArray mask = m.create(new float[] {1, 1, 0}, new Shape(1, 3));
        double hand = Math.exp(2 * lp[0]) + Math.exp(2 * lp[2]);
        assertThat(CompletionLoss.probL2(row(z), fav, mask).getFloat(0)).isCloseTo((float) hand, within(1e-6f));
    }

    @Test
    void logitL2PenalisesOnlyGapsAboveMinusMargin() {
        double[] z = {2.0, 0.0, 1.0, -1.0};
        double[] lp = logSoftmax(z, 1);
        NDArray fav = m.create(new long[] {0, 2}, new Shape(1, 2));
        NDArray mask = m.create(new float[] {1, 1}, new Shape(1, 2));
        // aligned log-probs: id 0 well above the student's (gap clamped to 0), id 2 below it
        float a0 = (float) (lp[0] + 5.0), a2 = (float) (lp[2] - 0.25);
        NDArray aligned = m.create(new float[] {a0, a2}, new Shape(1, 2));
        double margin = 0.5;
        double hand = Math.pow(Math.max(0, lp[2] - a2 + margin), 2) + Math.pow(Math.max(0, lp[0] - a0 + margin), 2);
        assertThat(hand).isCloseTo(0.5625, within(1e-6));
        assertThat(CompletionLoss.logitL2(row(z), fav, mask, aligned, margin).getFloat(0)).isCloseTo((float) hand, within(1e-5f));
    }

    @Test
    void adaptiveWeightAndCombination() {
        assertThat(CompletionLoss.adaptiveWeight(0.5f, 2.0, 3.0)).isCloseTo(5.0f, within(1e-6f));
        assertThat(CompletionLoss.adaptiveWeight(0.0f, 1.0, 1.0)).isEqualTo(1.0f);
        NDArray kl = m.create(new float[] {1, 2, 3, 6});
        NDArray pen = m.create(new float[] {0.5f, 0.25f, 9, 9});
        // rows 0-1 harmful (alpha 2 and 4), rows 2-3 utility (alpha 0)
        NDArray alpha = m.create(new float[] {2, 4, 0, 0});
        CompletionLoss.Terms t = CompletionLoss.combine(kl, pen, alpha, 2);
        assertThat(t.kl().getFloat()).isCloseTo(3.0f, within(1e-6f));
        assertThat(t.comp().getFloat()).isCloseTo((2 * 0.5f + 4 * 0.25f) / 2, within(1e-6f));
        assertThat(t.total().getFloat()).isCloseTo(4.0f, within(1e-6f));
        assertThat(CompletionLoss.combine(kl, null, alpha, 0).comp().getFloat()).isZero();
    }

    @Test
    void renormalisedKlGradientIsTauTimesStudentMinusTeacher() {
        double[] z = {0.4, -0.3, 1.1, 0.2};
        double tau = 2.0;
        NDArray s = m.create(z, new Shape(1, z.length));
        s.setRequiresGradient(true);
        NDArray idx = m.create(new long[] {2, 0}, new Shape(1, 2));
        NDArray lp = m.create(new double[] {Math.log(0.6), Math.log(0.4)}, new Shape(1, 2));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(CompletionLoss.distillKl(s, idx, lp, tau, TeacherCache.Tail.RENORMALISE).sum());
        }
        double[] q = logSoftmax(z, tau);
        double[] p = {0.4, 0, 0.6, 0};
        double[] g = s.getGradient().toDoubleArray();
        for (int j = 0; j < 4; j++) assertThat(g[j]).as("d/dz_%d", j).isCloseTo(tau * (Math.exp(q[j]) - p[j]), within(1e-9));
        assertThat(idx.hasGradient()).isFalse();
        assertThat(lp.hasGradient()).isFalse();
    }

    @Test
    void parsesPenaltyNames() {
        assertThat(CompletionLoss.Penalty.parse("prob-l2")).isEqualTo(CompletionLoss.Penalty.PROB_L2);
        assertThat(CompletionLoss.Penalty.parse("logit-l2")).isEqualTo(CompletionLoss.Penalty.LOGIT_L2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CompletionLoss.Penalty.parse("l1"))
                .isInstanceOf(deepalign.DeepalignException.class).hasMessageContaining("--penalty");
    }
}
