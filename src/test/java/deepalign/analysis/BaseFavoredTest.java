package deepalign.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseFavoredTest {
    @TempDir
    Path tmp;

    NDManager m;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        m.getEngine().setRandomSeed(3);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** Sorts the whole vocabulary by d, keeps the top k, then filters d > 0 and pB >= pMin. */
    static List<Integer> bruteForce(double[] lb, double[] la, int k, double pMin) {
        List<Integer> all = new ArrayList<>();
        for (int v = 0; v < lb.length; v++) all.add(v);
        all.sort(Comparator.comparingDouble((Integer v) -> lb[v] - la[v]).reversed());
        List<Integer> out = new ArrayList<>();
        for (int v : all.subList(0, Math.min(k, all.size()))) {
            if (lb[v] - la[v] > 0 && Math.exp(lb[v]) >= pMin) out.add(v);
        }
        return out;
    }

    @Test
    void setsMatchBruteForceIncludingBothFilters() {
        int v = 61;
        int rows = 6;
        NDArray zb = m.randomNormal(new Shape(rows, v)).mul(3f);
        NDArray za = m.randomNormal(new Shape(rows, v)).mul(3f);
        float[] fb = zb.toFloatArray();
        float[] fa = za.toFloatArray();
        // k = 45 of 61 reaches past the tokens with d > 0; p_min = 1e-3 drops tokens the base finds unlikely.
        int k = 45;
        double pMin = 1e-3;
        List<BaseFavored.PositionSet> sets = BaseFavored.sets(zb, za, k, pMin);
        assertThat(sets).hasSize(rows);
        // the on-device mass (contrastive decoding's gate) is the same set's mass
        float[] deviceMass = BaseFavored.baseMass(zb.logSoftmax(-1), za.logSoftmax(-1), k, pMin).toFloatArray();
        assertThat(deviceMass).hasSize(rows);
        int droppedByD = 0;
        int droppedByP = 0;
        for (int r = 0; r < rows; r++) {
            double[] lb = PositionalKlTest.logSoftmax(fb, r * v, v);
            double[] la = PositionalKlTest.logSoftmax(fa, r * v, v);
            List<Integer> want = bruteForce(lb, la, k, pMin);
            BaseFavored.PositionSet got = sets.get(r);
            assertThat(got.tokens()).as("row %d", r).containsExactly(want.stream().mapToInt(Integer::intValue).toArray());
            double mb = 0;
            double ma = 0;
            for (int tok : want) {
                mb += Math.exp(lb[tok]);
                ma += Math.exp(la[tok]);
            }
            assertThat(got.baseMass()).isCloseTo(mb, within(1e-5));
            assertThat((double) deviceMass[r]).isCloseTo(mb, within(1e-5));
            assertThat(got.alignedMass()).isCloseTo(ma, within(1e-5));
            for (int i = 0; i < got.size(); i++) assertThat(got.diff()[i]).isCloseTo(lb[got.tokens()[i]] - la[got.tokens()[i]], within(1e-4));
            List<Integer> unfiltered = bruteForce(lb, la, k, 0);
            List<Integer> positive = bruteForce(lb, la, v, 0);
            if (positive.size() < k) droppedByD++;
            if (unfiltered.size() > want.size()) droppedByP++;
        }
        assertThat(droppedByD).as("some rows exercise the d > 0 filter").isPositive();
        assertThat(droppedByP).as("some rows exercise the p_min filter").isPositive();
    }

    @Test
    void smallKKeepsOnlyTheLargestDifferencesAndIdenticalModelsHaveNone() {
        int v = 61;
        NDArray zb = m.randomNormal(new Shape(2, v)).mul(2f);
        NDArray za = m.randomNormal(new Shape(2, v)).mul(2f);
        List<BaseFavored.PositionSet> sets = BaseFavored.sets(zb, za, 3, 0);
        for (BaseFavored.PositionSet s : sets) {
            assertThat(s.size()).isEqualTo(3);
            assertThat(s.diff()).isSortedAccordingTo(Comparator.reverseOrder());
        }
        assertThat(BaseFavored.sets(zb, zb, 100, 0)).allSatisfy(s -> assertThat(s.size()).isZero()); // d = 0 everywhere
    }

    @Test
    void pairRunCountsPositionsAndTopTokens() {
        ModelPair pair = RandomPair.pair(tmp, m);
        List<Responses.Scored> h = List.of(PositionalKlTest.scored(pair, "w1 w2", new int[] {20, 21, 22}),
                PositionalKlTest.scored(pair, "w3", new int[] {23, 24}));
        List<Responses.Scored> b = List.of(PositionalKlTest.scored(pair, "w4", new int[] {25}));
        BaseFavored.Config cfg = new BaseFavored.Config(3, 10, 1e-4, 2, 5);
        BaseFavored.Result r = BaseFavored.run(pair, h, b, cfg);
        assertThat(r.harmful().baseMass().n()).containsExactly(2, 2, 1);
        assertThat(r.benign().size().n()).containsExactly(1, 0, 0);

        // The per-position statistics agree with the per-sequence API applied to each example alone.
        List<List<BaseFavored.PositionSet>> per = BaseFavored.perExample(pair, h, cfg, "test");
        double m1 = (per.get(0).get(0).baseMass() + per.get(1).get(0).baseMass()) / 2;
        assertThat(r.harmful().baseMass().mean()[0]).isCloseTo(m1, within(1e-9));
        int total = 0;
        for (List<BaseFavored.PositionSet> ex : per) for (BaseFavored.PositionSet s : ex) total += s.size();
        int counted = r.harmful().topTokens().stream().mapToInt(BaseFavored.TokenCount::count).sum();
        assertThat(counted).isLessThanOrEqualTo(total).isPositive();
        assertThat(r.harmful().topTokens()).isSortedAccordingTo(Comparator.comparingInt(BaseFavored.TokenCount::count).reversed());
        assertThat(r.harmful().topTokens().get(0).text()).isNotBlank();
    }
}
