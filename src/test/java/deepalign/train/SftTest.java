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
    void shardsOfABatchAddUpToTheWholeBatchGradient() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig c = ModelConfig.of(ModelConfig.Arch.LLAMA, 48, 32, 64, 2, 4, 2);
            Transformer t = deepalign.model.TinyModels.cast(ModelInit.random(c, m, 9), ai.djl.ndarray.types.DataType.FLOAT64);
            List<Sequence> batch = new ArrayList<>(data().subList(0, 7));
            batch.set(2, Sequence.promptResponse(new int[] {1, 5, 9}, new int[] {4, 4})); // unequal loss weights per row
            double total = batch.stream().mapToDouble(Sequence::lossWeight).sum();
            t.setRequiresGradient(true);
            double whole = Sft.shardLoss(t, batch, 0, total);
            double[] expected = gradients(t);
            double parts = 0;
            for (List<Sequence> shard : List.of(batch.subList(0, 3), batch.subList(3, 4), batch.subList(4, 7))) parts += Sft.shardLoss(t, shard, 0, total);
            double[] got = gradients(t);
            // float64 throughout; the shards pad differently, so sums run in another order (measured 1e-10)
            assertThat(parts).isCloseTo(whole, org.assertj.core.data.Offset.offset(1e-8));
            assertThat(got).hasSameSizeAs(expected);
            for (int i = 0; i < got.length; i++) assertThat(got[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-8));
            t.setRequiresGradient(false);
        }
    }

    /** Every parameter's gradient, flattened, then zeroed. */
    private static double[] gradients(Transformer t) {
        List<Double> out = new ArrayList<>();
        for (ai.djl.ndarray.NDArray p : t.parameterArrays()) {
            for (double v : p.getGradient().toDoubleArray()) out.add(v);
        }
        AdamW.zeroGradients(t.parameterArrays());
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void twoWorkersGiveTheSameNumbersRunAfterRunAndCloseToOneWorker() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Sft.Result one;
            try (AutoCloseable w = deepalign.model.Workers.use(1)) {
                one = run(m, 1);
            }
            try (AutoCloseable w = deepalign.model.Workers.use(2)) {
                Sft.Result a = run(m, 1);
                Sft.Result b = run(m, 1);
                assertThat(a.losses()).containsExactlyElementsOf(b.losses());
                // the same batches, summed in two shards: equal up to float32 rounding
                for (int i = 0; i < 5; i++) assertThat(a.losses().get(i)).isCloseTo(one.losses().get(i), org.assertj.core.data.Offset.offset(1e-4));
            }
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
