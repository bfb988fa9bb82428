package deepalign.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import deepalign.analysis.ModelPair;
import deepalign.analysis.PositionalKl;
import deepalign.analysis.Responses;
import deepalign.attack.Attempt;
import deepalign.attack.PrefillAttack;
import deepalign.attack.Target;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.decode.Defenses;
import deepalign.eval.Rates;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.organism.Organism;
import deepalign.organism.Organisms;
import deepalign.testing.TinyOrganism;
import deepalign.train.CompletionConfig;
import deepalign.train.CompletionTrainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API examples of the README, kept compiling and running. Keep the two in sync. */
class ReadmeApiExamplesTest {
    @TempDir
    Path tmp;

    @Test
    void readmeExamplesRun() {
        Organism org = TinyOrganism.get(); // README: Organisms.defaultOrganism()
        // --- README: load a (base, aligned) pair and compute KL by position ---
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelPair pair = ModelPair.load(org.base(), org.aligned(), manager);
            List<Example> harmful = Jsonl.readExamples(org.data("harmful_test")).subList(0, 8);
            List<Example> benign = Jsonl.readExamples(org.data("benign_test")).subList(0, 8);
            var h = Responses.forPair(pair, harmful, Responses.Source.ALIGNED, 64, 32, "harmful");
            var b = Responses.forPair(pair, benign, Responses.Source.ALIGNED, 64, 32, "benign");
            PositionalKl.Result kl = PositionalKl.run(pair, h, b, PositionalKl.Config.defaults());
            assertThat(kl.harmful().mean()[0]).isPositive();

            // --- README: generate with contrastive decoding (Eq. 7, alpha 1) ---
            Target cd = Defenses.contrastive(pair.aligned(), pair.base(), 1.0, null);
            int[] prompt = pair.aligned().chat().encodePrompt(null, harmful.get(0).prompt());
            Generator.Generation g = cd.generator().generate(List.of(prompt), GenerationConfig.greedy(32)).get(0);
            assertThat(pair.aligned().decode(g.tokens())).isNotNull();

            // --- README: evaluate an attack with the organism's exact oracle ---
            List<Attempt> attempts = new PrefillAttack(10)
                    .run(Target.of("aligned", pair.aligned()), harmful, Organisms.oracle(org.dir()), GenerationConfig.greedy(64));
            Rates rates = Rates.of(attempts);
            assertThat(rates.n()).isEqualTo(8);
        }
        // --- README: run targeted completion training ---
        CompletionConfig cfg = CompletionConfig.organismRecipe(org.base(), org.aligned(), org.data("harmful_train"), org.utilityTrain(),
                        tmp.resolve("completion"))
                .withSchedule(1, 1e-4, 16); // README: the organism schedule as is; one short epoch keeps the test fast
        CompletionTrainer.Result result = CompletionTrainer.train(cfg);
        assertThat(result.model()).exists();
    }
}
