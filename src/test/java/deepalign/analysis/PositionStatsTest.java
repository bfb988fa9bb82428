package deepalign.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PositionStatsTest {
    @Test
    void stderrIsSampleSdOverRootN() {
        // values 1,2,3,4: mean 2.5, sample variance 5/3, stderr sqrt(5/3)/2
        assertThat(PositionStats.stderr(new double[] {1, 2, 3, 4})).isCloseTo(Math.sqrt(5.0 / 3) / 2, within(1e-12));
        assertThat(PositionStats.stderr(new double[] {7})).isZero();
        assertThat(PositionStats.stderr(new double[] {})).isNaN();
    }

    @Test
    void accumulatorMatchesTheFormulaPerPosition() {
        PositionStats.Accumulator acc = PositionStats.Accumulator.upTo(3);
        double[] p1 = {0.5, 1.5, 2.0, 10.0};
        for (double v : p1) acc.add(1, v);
        acc.add(2, 3.0);
        PositionStats s = acc.stats();
        assertThat(s.positions()).containsExactly(1, 2, 3);
        assertThat(s.n()).containsExactly(4, 1, 0);
        assertThat(s.mean()[0]).isCloseTo(3.5, within(1e-12));
        assertThat(s.stderr()[0]).isCloseTo(PositionStats.stderr(p1), within(1e-12));
        assertThat(s.mean()[1]).isEqualTo(3.0);
        assertThat(s.stderr()[1]).isZero();
        assertThat(s.mean()[2]).isNaN();
        assertThat(s.meanOver(1, 3)).isCloseTo((0.5 + 1.5 + 2.0 + 10.0 + 3.0) / 5, within(1e-12)); // every value once; empty positions skipped
        assertThat(s.meanOver(3, 3)).isNaN();
        assertThat(s.toJson().get("mean")).asList().containsExactly(3.5, 3.0, null);
    }

    @Test
    void sparsePositionsAreTrackedByValue() {
        PositionStats.Accumulator acc = new PositionStats.Accumulator(new int[] {1, 5, 9});
        assertThat(acc.tracks(5)).isTrue();
        assertThat(acc.tracks(2)).isFalse();
        acc.add(9, 2);
        assertThat(acc.stats().meanAt(9)).isEqualTo(2);
    }
}
