package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MixedBatchesTest {
    @Test
    void everyBatchHoldsTheHarmfulFraction() {
        MixedBatches b = new MixedBatches(30, 50, 10, 0.4, 7);
        assertThat(b.harmfulPerBatch()).isEqualTo(4);
        assertThat(b.utilityPerBatch()).isEqualTo(6);
        for (long s = 0; s < 20; s++) {
            assertThat(b.harmful(s)).hasSize(4).allMatch(i -> i >= 0 && i < 30);
            assertThat(b.utility(s)).hasSize(6).allMatch(i -> i >= 0 && i < 50);
        }
        assertThat(new MixedBatches(30, 50, 5, 0.4, 7).harmfulPerBatch()).isEqualTo(2); // round(2.0)
        assertThat(new MixedBatches(30, 50, 3, 0.4, 7).harmfulPerBatch()).isEqualTo(1); // round(1.2)
    }

    @Test
    void anEpochShowsTheLargerSideEveryExampleOnce() {
        MixedBatches b = new MixedBatches(30, 50, 10, 0.4, 7);
        assertThat(b.stepsPerEpoch()).isEqualTo(9); // max(ceil(30/4), ceil(50/6))
        List<Integer> utility = new ArrayList<>();
        for (long s = 0; s < 8; s++) utility.addAll(b.utility(s));
        assertThat(new TreeSet<>(utility)).hasSize(48); // 8 steps x 6 draws, all distinct within the first pass
        List<Integer> harmful = new ArrayList<>();
        for (long s = 0; s < 15; s++) harmful.addAll(b.harmful(s));
        assertThat(new TreeSet<>(harmful.subList(0, 30))).hasSize(30);
        assertThat(new TreeSet<>(harmful.subList(30, 60))).hasSize(30);
        assertThat(harmful.subList(0, 30)).isNotEqualTo(harmful.subList(30, 60)); // each pass reshuffled
    }

    @Test
    void theOrderIsAFunctionOfSeedAndStep() {
        MixedBatches a = new MixedBatches(30, 50, 10, 0.4, 7);
        MixedBatches again = new MixedBatches(30, 50, 10, 0.4, 7);
        MixedBatches other = new MixedBatches(30, 50, 10, 0.4, 8);
        assertThat(again.harmful(13)).isEqualTo(a.harmful(13));
        assertThat(again.utility(13)).isEqualTo(a.utility(13));
        List<Integer> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        for (long s = 0; s < 5; s++) {
            x.addAll(a.utility(s));
            y.addAll(other.utility(s));
        }
        assertThat(x).isNotEqualTo(y);
    }

    @Test
    void rejectsMissingSides() {
        assertThatThrownBy(() -> new MixedBatches(0, 50, 10, 0.4, 7)).isInstanceOf(DeepalignException.class).hasMessageContaining("harmful");
        assertThatThrownBy(() -> new MixedBatches(10, 0, 10, 0.4, 7)).isInstanceOf(DeepalignException.class).hasMessageContaining("utility");
        assertThat(new MixedBatches(0, 50, 10, 0.0, 7).stepsPerEpoch()).isEqualTo(5);
    }
}
