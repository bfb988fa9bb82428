package deepalign.judge;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class WilsonTest {
    @Test
    void handComputedValues() {
        // p = 0.5, n = 10: centre 0.5, half-width 1.96 * sqrt(0.025 + 0.0096) / 1.3841 = 0.2634
        Wilson.Interval half = Wilson.wilson95(5, 10);
        assertThat(half.low()).isCloseTo(0.2366, within(1e-4));
        assertThat(half.high()).isCloseTo(0.7634, within(1e-4));
        // 0/10: [0, z^2 / (n + z^2)] = [0, 3.8415 / 13.8415]
        Wilson.Interval zero = Wilson.wilson95(0, 10);
        assertThat(zero.low()).isCloseTo(0.0, within(1e-12));
        assertThat(zero.high()).isCloseTo(0.2775, within(1e-4));
        Wilson.Interval all = Wilson.wilson95(10, 10);
        assertThat(all.low()).isCloseTo(0.7225, within(1e-4));
        assertThat(all.high()).isCloseTo(1.0, within(1e-12));
        // 51/100: centre (0.51 + 0.0192) / 1.0384 = 0.5096, half-width 1.96 * sqrt(0.0024990 + 0.0000960) / 1.0384 = 0.0962
        Wilson.Interval gcg = Wilson.wilson95(51, 100);
        assertThat(gcg.low()).isCloseTo(0.4135, within(1e-4));
        assertThat(gcg.high()).isCloseTo(0.6058, within(1e-4));
    }

    @Test
    void edgeCases() {
        assertThat(Wilson.wilson95(0, 0)).isEqualTo(new Wilson.Interval(0, 1));
        assertThatThrownBy(() -> Wilson.wilson95(3, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
