package deepalign.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import org.junit.jupiter.api.Test;

class PositionsTest {
    @Test
    void rangesListsAndStride() {
        assertThat(Positions.parse("1-5", 1)).containsExactly(1, 2, 3, 4, 5);
        assertThat(Positions.parse("10-12, 1,2", 1)).containsExactly(1, 2, 10, 11, 12);
        assertThat(Positions.parse("1-40", 4)).containsExactly(1, 5, 9, 13, 17, 21, 25, 29, 33, 37);
    }

    @Test
    void badSpecsAreRefused() {
        assertThatThrownBy(() -> Positions.parse("0-3", 1)).isInstanceOf(DeepalignException.class).hasMessageContaining("count from 1");
        assertThatThrownBy(() -> Positions.parse("5-2", 1)).isInstanceOf(DeepalignException.class).hasMessageContaining("backwards");
        assertThatThrownBy(() -> Positions.parse("a-b", 1)).isInstanceOf(DeepalignException.class);
        assertThatThrownBy(() -> Positions.parse("1-4", 0)).isInstanceOf(DeepalignException.class).hasMessageContaining("--stride");
    }
}
