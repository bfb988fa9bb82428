package deepalign.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import deepalign.data.Example;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionalKlTest {
    @TempDir
    Path tmp;

    NDManager m;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        m.getEngine().setRandomSeed(7);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** log-softmax in doubles. */
    static double[] logSoftmax(float[] z, int off, int v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) max = Math.max(max, z[off + i]);
        double s = 0;
        for (int i = 0; i < v; i++) s += Math.exp(z[off + i] - max);
        double lse = max + Math.log(s);
        double[] out = new double[v];
        for (int i = 0; i < v; i++) out[i] = z[off + i] - lse;
        return out;
    }

    /** sum_v pA (log pA - log pB), row by row, in plain Java. */
    static double[] klByHand(float[] base, float[] aligned, int v) {
        double[] out = new double[base.length / v];
        for (int r = 0; r < out.length; r++) {
            double[] lb = logSoftmax(base, r * v, v);
            double[] la = logSoftmax(aligned, r * v, v);
            for (int i = 0; i < v; i++) out[r] += Math.exp(la[i]) * (la[i] - lb[i]);
        }
        return out;
    }

    @Test
    void klMatchesAHandComputation() {
        int v = 61;
        NDArray zb = m.randomNormal(new Shape(5, v)).mul(3f);
        NDArray za = m.randomNormal(new Shape(5, v)).mul(3f);
        double[] expected = klByHand(zb.toFloatArray(), za.toFloatArray(), v);
        double[] got = PositionalKl.kl(zb, za);
        assertThat(got).hasSize(5);
        for (int t = 0; t < 5; t++) {
            assertThat(got[t]).isCloseTo(expected[t], within(1e-4 * Math.max(1, expected[t])));
            assertThat(got[t]).isPositive();
        }
        for (double same : PositionalKl.kl(za, za)) assertThat(same).isCloseTo(0, within(1e-5));
    }

    @Test
    void batchedLeftPaddedScoringMatchesEachSequenceAlone() {
        ModelPair pair = RandomPair.pair(tmp, m);
        List<Responses.Scored> seqs = List.of(
                scored(pair, "w1 w2 w3", new int[] {20, 21, 22, 23, 24}),
                scored(pair, "w5", new int[] {30, 31}),
                scored(pair, "w7 w8 w9 w10 w11 w12 w13", new int[] {40, 41, 42, 43, 44, 45, 46, 47}),
                scored(pair, "w4 w4", new int[] {12}));
        PositionalKl.Config cfg = new PositionalKl.Config(6, 3); // batches of 3 and 1 (by length); one response longer than 6
        List<double[]> got = PositionalKl.perExample(pair, seqs, cfg, "test");

        for (int s = 0; s < seqs.size(); s++) {
            Responses.Scored sc = seqs.get(s);
            int[] ids = sc.ids();
            long[] in = new long[ids.length - 1];
            for (int i = 0; i < in.length; i++) in[i] = ids[i];
            NDArray x = m.create(in, new Shape(1, in.length));
            NDArray mask = m.ones(new Shape(1, in.length));
            int v = pair.vocabSize();
            float[] zb = pair.base().transformer().forward(x, mask, null).toFloatArray();
            float[] za = pair.aligned().transformer().forward(x, mask, null).toFloatArray();
            double[] all = klByHand(zb, za, v);
            int expectedLen = Math.min(sc.response().length, 6);
            assertThat(got.get(s)).hasSize(expectedLen);
            for (int t = 1; t <= expectedLen; t++) {
                double want = all[sc.prompt().length + t - 2]; // the slot that predicts response token t
                assertThat(got.get(s)[t - 1]).as("sequence %d position %d", s, t).isCloseTo(want, within(1e-3 * Math.max(1, want)));
            }
        }
        PositionStats stats = PositionalKl.stats(got, 6);
        assertThat(stats.n()).containsExactly(4, 3, 2, 2, 2, 1);
        assertThat(stats.mean()[0]).isCloseTo((got.get(0)[0] + got.get(1)[0] + got.get(2)[0] + got.get(3)[0]) / 4, within(1e-9));
    }

    @Test
    void resultSplitsHarmfulAndBenign() {
        ModelPair pair = RandomPair.pair(tmp, m);
        List<Responses.Scored> h = List.of(scored(pair, "w1", new int[] {20, 21, 22}), scored(pair, "w2", new int[] {23, 24}));
        List<Responses.Scored> b = List.of(scored(pair, "w3", new int[] {25}));
        PositionalKl.Result r = PositionalKl.run(pair, h, b, new PositionalKl.Config(4, 8));
        assertThat(r.harmful().n()).containsExactly(2, 2, 1, 0);
        assertThat(r.benign().n()).containsExactly(1, 0, 0, 0);
        assertThat(r.benign().mean()[0]).isEqualTo(r.benignPerExample().get(0)[0]);
        assertThat(r.ratio(r.harmful())).isNaN(); // no data at 21-40
    }

    @Test
    void automaticBatchKeepsLogitsWithinBudget() {
        assertThat(PairLogits.autoBatch(84, 1369)).isEqualTo(PairLogits.AUTO_MAX_BATCH);
        assertThat(PairLogits.autoBatch(100, 128_256)).isEqualTo(10); // 2^27 / (100 * 128256)
        assertThat(PairLogits.autoBatch(4000, 152_064)).isEqualTo(1);
        ModelPair pair = RandomPair.pair(tmp, m);
        List<Responses.Scored> seqs = List.of(scored(pair, "w1", new int[] {20, 21}), scored(pair, "w2 w3", new int[] {22}));
        List<double[]> auto = PositionalKl.perExample(pair, seqs, new PositionalKl.Config(4, 0), "auto");
        List<double[]> one = PositionalKl.perExample(pair, seqs, new PositionalKl.Config(4, 1), "one");
        for (int s = 0; s < 2; s++) assertThat(auto.get(s)).containsExactly(one.get(s), within(1e-4));
    }

    static Responses.Scored scored(ModelPair pair, String prompt, int[] response) {
        Example e = Example.benign("x", prompt, null, null);
        return new Responses.Scored(e, Responses.prompt(pair.aligned(), e), response);
    }
}
