package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import deepalign.model.ModelConfig;
import deepalign.model.ModelInit;
import deepalign.model.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SftTest {
    private static List<Sequence> data() {
        Random r = new Random(3);
        List<Sequence> out = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int[] ids = new int[6 + r.nextInt(5)];
            ids[0] = 1;
            for (int j = 1; j < ids.length; j++) ids[j] = (ids[j - 1] * 7 + 3) % 40 + 2; // a learnable rule
            out.add(Sequence.allTokens(ids));
        }
        return out;
    }

    private static Sft.Result run(NDManager m, long seed) {
        ModelConfig c = ModelConfig.of(ModelConfig.Arch.LLAMA, 48, 32, 64, 2, 4, 2);
        Transformer t = ModelInit.random(c, m, 9);
        return Sft.train(t, data(), Sft.Config.of(40, 8, 3e-3, seed), 0, "test");
    }

    @Test
    void lossFallsAndTheSameSeedGivesTheSameNumbers() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sft.Result a = run(m, 1);
            Sft.Result b = run(m, 1);
            assertThat(a.losses()).containsExactlyElementsOf(b.losses());
            assertThat(a.finalLoss(5)).isLessThan(a.losses().get(0) * 0.5);
        }
    }

    @Test
    void aDivergingRunStopsAfterThreeBadStepsInARowNamingTheStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig c = ModelConfig.of(ModelConfig.Arch.LLAMA, 48, 32, 64, 2, 4, 2);
            Transformer t = ModelInit.random(c, m, 9);
            // lr 1e30: the first update overflows the weights; later losses or gradients are not finite
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sft.train(t, data(), Sft.Config.of(40, 8, 1e30, 1), 0, "test"))
                    .isInstanceOf(deepalign.DeepalignException.class)
                    .hasMessageMatching("test: (loss|gradient norm) \\S+ for 3 steps in a row \\(last at step \\d+\\); lower the learning rate");
        }
    }

    @Test
    void scheduleWarmsUpThenDecays() {
        assertThat(Schedule.warmupCosine(0, 100, 1.0, 0.1)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Schedule.warmupCosine(9, 100, 1.0, 0.1)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Schedule.warmupCosine(99, 100, 1.0, 0.1)).isLessThan(0.12);
    }
}
