package deepalign.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static Generator generator(Transformer t, Set<Integer> eos) {
        return new Generator(() -> new CachedStepModel(t), eos, 0, ids -> java.util.Arrays.toString(ids));
    }

    @Test
    void batchedGreedyEqualsOneByOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = TinyModels.random(TinyModels.llama(), m, 21);
            List<int[]> prompts = List.of(new int[] {2, 5, 6, 7, 8, 9}, new int[] {2, 11}, new int[] {2, 30, 31, 32});
            Generator g = generator(t, Set.of(1));
            GenerationConfig cfg = GenerationConfig.greedy(12);
            List<Generator.Generation> batch = g.generate(prompts, cfg);
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(g.generate(List.of(prompts.get(i)), cfg).get(0).tokens()).containsExactly(batch.get(i).tokens());
            }
        }
    }

    @Test
    void samplingIsSeededPerSequenceAndTopK1IsGreedy() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = TinyModels.random(TinyModels.llama(), m, 22);
            Generator g = generator(t, Set.of());
            List<int[]> prompts = List.of(new int[] {2, 5}, new int[] {2, 6});
            GenerationConfig s = GenerationConfig.greedy(10).withSampling(1.0, 0, 0.9, 7);
            assertThat(g.generate(prompts, s).get(1).tokens()).containsExactly(g.generate(prompts, s).get(1).tokens());
            assertThat(g.generate(prompts, GenerationConfig.greedy(10).withSampling(1.0, 1, 1.0, 3)).get(0).tokens())
                    .containsExactly(g.generate(prompts, GenerationConfig.greedy(10)).get(0).tokens());
        }
    }

    @Test
    void stopsOnEosAndStopStrings() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = TinyModels.random(TinyModels.llama(), m, 23);
            int[] prompt = {2, 5, 9};
            int[] free = generator(t, Set.of()).generate(List.of(prompt), GenerationConfig.greedy(8)).get(0).tokens();
            assertThat(free).hasSize(8);
            Generator.Generation cut = generator(t, Set.of(free[3])).generate(List.of(prompt), GenerationConfig.greedy(8)).get(0);
            assertThat(cut.finishReason()).isEqualTo("eos");
            assertThat(cut.tokens().length).isLessThanOrEqualTo(3);
            String stop = String.valueOf(free[1]);
            Generator.Generation s = generator(t, Set.of()).generate(List.of(prompt), GenerationConfig.greedy(8).withStopStrings(List.of(stop))).get(0);
            assertThat(s.finishReason()).isEqualTo("stop");
            assertThat(s.tokens().length).isLessThan(8);
        }
    }

    @Test
    void batchesOnSeveralWorkersGiveTheTokensOfOneWorker() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = TinyModels.random(TinyModels.llama(), m, 24);
            List<int[]> prompts = new java.util.ArrayList<>();
            for (int i = 0; i < 7; i++) prompts.add(new int[] {2, 5 + i, 9 + 2 * i});
            GenerationConfig cfg = GenerationConfig.greedy(9).withSampling(1.0, 0, 0.95, 5).withBatchSize(2); // four batches
            List<Generator.Generation> one;
            List<Generator.Generation> three;
            try (AutoCloseable w = Workers.use(1)) {
                one = generator(t, Set.of()).generate(prompts, cfg);
            }
            try (AutoCloseable w = Workers.use(3)) {
                three = generator(t, Set.of()).generate(prompts, cfg);
            }
            assertThat(three).hasSize(7);
            for (int i = 0; i < 7; i++) assertThat(three.get(i).tokens()).containsExactly(one.get(i).tokens());
        }
    }
}
