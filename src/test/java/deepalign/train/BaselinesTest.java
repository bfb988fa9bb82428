package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.model.RawTensor;
import deepalign.model.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselinesTest {
    @TempDir
    Path tmp;

    @Test
    void augmentedExamplesTrainOnlyTheRefusalAfterAHarmfulPrefixOfUniformLength() {
        int end = 99;
        TrainingData.Pair p = new TrainingData.Pair(null, new int[] {1, 2, 3}, new int[] {10, 11, 12, 13, end});
        int[] refusal = {50, 51, end};
        Set<Integer> lengths = new TreeSet<>();
        Random rng = new Random(1);
        for (int i = 0; i < 200; i++) {
            Sequence s = Baselines.augmented(p, refusal, rng);
            int n = s.ids().length - 3 - 3;
            lengths.add(n);
            assertThat(s.ids()).startsWith(1, 2, 3).endsWith(50, 51, end);
            for (int j = 0; j < n; j++) assertThat(s.ids()[3 + j]).isEqualTo(10 + j);
            for (int j = 0; j < s.ids().length; j++) assertThat(s.weights()[j]).isEqualTo(j >= 3 + n ? 1f : 0f);
        }
        assertThat(lengths).containsExactly(0, 1, 2, 3, 4); // never the end-of-turn token as part of the prefix
    }

    Baselines.Config config(String name) {
        CompletionConfig c = TrainFixtures.quick(tmp.resolve(name));
        return new Baselines.Config(c.aligned(), c.base(), c.out(), c.data(), null, 1, 1e-3, 8, 0.4, 0);
    }

    @Test
    void sftRefusalAndAugmentTrainWithTheCompletionBudget() {
        for (Baselines.Result r : List.of(Baselines.sftRefusal(config("sft")), Baselines.augment(config("aug")))) {
            assertThat(r.steps()).isEqualTo(4); // the budget of TrainFixtures.quick: 1 epoch x 4 steps
            assertThat(r.model().resolve("model.safetensors")).isRegularFile();
            assertThat(r.out().resolve("train.png")).isRegularFile();
            List<JsonNode> lines = Jsonl.readTree(r.out().resolve("train.jsonl"));
            assertThat(lines.get(0).get("header").get("method").asText()).isEqualTo(r.method());
            assertThat(lines).hasSize(5);
            Map<String, RawTensor> before = SafeTensors.readAll(config("x").aligned().resolve("model.safetensors"));
            Map<String, RawTensor> after = SafeTensors.readAll(r.model().resolve("model.safetensors"));
            assertThat(after.get("model.layers.0.mlp.up_proj.weight").toFloats())
                    .isNotEqualTo(before.get("model.layers.0.mlp.up_proj.weight").toFloats());
        }
    }

    @Test
    void harmfulExamplesWithoutARefusalNeedRefusalText() {
        List<Example> noRefusal = new ArrayList<>();
        for (Example e : Jsonl.readExamples(TrainFixtures.harmful())) noRefusal.add(Example.harmful(e.id(), e.prompt(), e.response(), e.category()));
        Path file = tmp.resolve("no-refusal.jsonl");
        Jsonl.writeExamples(file, noRefusal);
        Baselines.Config c = config("norefusal");
        TrainingData.Config d = new TrainingData.Config(file, c.data().utility(), c.data().harmfulResponses(), c.data().utilityResponses(),
                16, 0, 0, 256);
        Baselines.Config bad = new Baselines.Config(c.aligned(), c.base(), c.out(), d, null, 1, 1e-3, 8, 0.4, 0);
        assertThatThrownBy(() -> Baselines.sftRefusal(bad)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("no-refusal.jsonl").hasMessageContaining("--refusal-text");
        Baselines.Config fixed = new Baselines.Config(c.aligned(), c.base(), c.out(), d, "i cannot help with that", 1, 1e-3, 8, 0.4, 0);
        assertThat(Baselines.sftRefusal(fixed).steps()).isEqualTo(4);
    }

    @Test
    void finetuneAttackTrainsOnTheFirstExamplesAndSavesTheModel() {
        Path out = tmp.resolve("ft");
        Path aligned = TrainFixtures.organism().aligned();
        FinetuneAttack.Result r = FinetuneAttack.run(new FinetuneAttack.Config(aligned, TrainFixtures.harmful(), 4, 12, 1e-3, 10, 0, out));
        assertThat(r.model().resolve("model.safetensors")).isRegularFile();
        assertThat(out.resolve("attack.json")).isRegularFile();
        assertThat(r.finalLoss()).isLessThan(r.firstLoss());
        assertThatThrownBy(() -> FinetuneAttack.run(new FinetuneAttack.Config(aligned, TrainFixtures.harmful(), 500, 2, 1e-3, 10, 0, out)))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("fewer than --examples 500");
    }
}
