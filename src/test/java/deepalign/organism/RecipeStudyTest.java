package deepalign.organism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import deepalign.testing.TinyOrganism;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeStudyTest {
    @Test
    void recipeSpecsParseAndBadOnesAreRefusedInOneSentence() {
        OrganismConfig.AlignRecipe r = OrganismConfig.AlignRecipe.parse("sft:300:5e-4:0.3+dpo:200:3e-4:0.1:1.0");
        assertThat(r.steps()).isEqualTo(300);
        assertThat(r.replayFraction()).isEqualTo(0.3);
        assertThat(r.preference()).isEqualTo(new OrganismConfig.Preference(200, 3e-4, 0.1, 1.0));
        assertThat(OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0").preference()).isNull();
        assertThat(OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0").recoveryShare()).isZero();
        assertThat(OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0.3:0.1").recoveryShare()).isEqualTo(0.1);
        assertThat(OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0.3:0.1").recoveryMaxPrefix()).isEqualTo(20);
        // a dose by weight: every prompt a recovery example at loss weight 0.03; weight 1 unless said
        OrganismConfig.AlignRecipe weighted = OrganismConfig.AlignRecipe.parse("sft:300:5e-4:0.3:1@0.03");
        assertThat(weighted.recoveryShare()).isEqualTo(1.0);
        assertThat(weighted.recoveryWeight()).isEqualTo(0.03);
        assertThat(OrganismConfig.AlignRecipe.parse("sft:300:5e-4:0.3:1@0.03:40").recoveryMaxPrefix()).isEqualTo(40);
        assertThat(OrganismConfig.AlignRecipe.parse(OrganismConfig.DEFAULT_RECIPE).recoveryWeight()).isEqualTo(1.0);
        for (String bad : new String[] {"sft:300:5e-4:0.3:1@", "sft:300:5e-4:0.3:1@0.1@0.2"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> OrganismConfig.AlignRecipe.parse(bad)).as(bad)
                    .isInstanceOf(deepalign.DeepalignException.class).hasMessageContaining("RECOVERY[@WEIGHT]");
        }
        for (String bad : new String[] {"sft:300:5e-4:0.3:1@0", "sft:300:5e-4:0.3:1@1.5"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> OrganismConfig.AlignRecipe.parse(bad)).as(bad)
                    .isInstanceOf(deepalign.DeepalignException.class).hasMessageContaining("recovery weight after @ must be in (0, 1]");
        }
        // the alignment batch keeps 32 sequences of the other data: light recovery examples ride along
        // (7,109 full-weight sequences, and 1,296 recovery examples at full weight or at 0.03)
        List<deepalign.train.Sequence> full = new java.util.ArrayList<>();
        for (int i = 0; i < 8405; i++) full.add(new deepalign.train.Sequence(new int[] {1, 2, 3}, new float[] {0, 0, 1}));
        List<deepalign.train.Sequence> light = new java.util.ArrayList<>(full.subList(0, 7109));
        for (int i = 0; i < 1296; i++) light.add(new deepalign.train.Sequence(new int[] {1, 2, 3}, new float[] {0, 0, 0.03f}));
        assertThat(OrganismBuilder.alignBatch(32, full)).isEqualTo(32);
        assertThat(OrganismBuilder.alignBatch(32, light)).isEqualTo(38);
        // an organism.json from before the weight existed reads back as weight 1
        assertThat(new OrganismConfig.AlignRecipe("x", 1, 1e-3, 0, 0.1, 1, 20, null, 0)).isEqualTo(new OrganismConfig.AlignRecipe("x", 1, 1e-3, 0, 0.1, 1, 20, null));
        assertThat(OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0.3:0.1:40").recoveryMaxPrefix()).isEqualTo(40);
        assertThat(OrganismConfig.AlignRecipe.parse("late-push")).isEqualTo(OrganismConfig.AlignRecipe.parse(OrganismConfig.LATE_PUSH_RECIPE));
        assertThat(OrganismConfig.AlignRecipe.parse("late-push").recoveryMaxPrefix()).isEqualTo(90);
        assertThat(OrganismConfig.AlignRecipe.parse("dpo").preference()).isNotNull();
        // an organism.json from before the knob reads back as 0 and means the default it was built with
        assertThat(new OrganismConfig.AlignRecipe("x", 1, 1e-3, 0, 0.1, 0, 0, null)).isEqualTo(new OrganismConfig.AlignRecipe("x", 1, 1e-3, 0, 0.1, 1, 20, null));
        OrganismConfig.AlignRecipe late = OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0.3:0.1:21-90");
        assertThat(late.recoveryMinPrefix()).isEqualTo(21);
        assertThat(late.recoveryMaxPrefix()).isEqualTo(90);
        assertThat(OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0.3:0.1:40").recoveryMinPrefix()).isEqualTo(1);
        assertThatThrownBy(() -> OrganismConfig.AlignRecipe.parse("sft:10:1e-3:0.3:2")).isInstanceOf(DeepalignException.class);
        for (String bad : new String[] {"dpo:1:1:1:1", "sft:1:1", "sft:1:1:0+dpo:1", "sft:x:1:0", "sft:1:1:0:0:0:0", "sft:1:1:0:0:5:1", "sft:1:1:0:0:0", "sft:1:1:0:0:30-20",
            "sft:1:1:0:0:0-20", "sft:1:1:0:0:1-2-3"}) {
            assertThatThrownBy(() -> OrganismConfig.AlignRecipe.parse(bad)).isInstanceOf(DeepalignException.class)
                    .hasMessageContaining("is not sft:STEPS");
        }
    }

    @Test
    void anOrganismOnDiskGivesBackItsConfigAndCard() {
        Organism o = TinyOrganism.get();
        Organism read = Organisms.at(o.dir());
        assertThat(read.config()).isEqualTo(o.config());
        assertThat(read.card().alignedPrefill()).containsOnlyKeys("5", "10", "20", "40");
        assertThatThrownBy(() -> Organisms.at(o.dir().resolve("data"))).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("no organism.json");
    }

    @Test
    void eachRecipeAlignsAFreshCopyOfTheBaseAndIsMeasured(@org.junit.jupiter.api.io.TempDir java.nio.file.Path save) {
        Organism o = TinyOrganism.get();
        OrganismConfig cfg = Organisms.at(o.dir()).config();
        List<RecipeStudy.Row> rows = RecipeStudy.run(o.dir(), cfg,
                List.of(OrganismConfig.AlignRecipe.parse("sft:0:1e-3:0"), OrganismConfig.AlignRecipe.parse("sft:40:1e-3:0.3+dpo:10:1e-4:0.1:1.0")), save,
                List.of(cfg.seed()));
        assertThat(rows).hasSize(2);
        // zero alignment steps: the "aligned" model is the base itself, so every KL is 0
        assertThat(rows.get(0).klAligned1to3()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(rows.get(0).klHarmful21to40()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-5));
        RecipeStudy.Row aligned = rows.get(1);
        assertThat(aligned.klAligned1to3()).isGreaterThan(0.01);
        for (RecipeStudy.Row r : rows) {
            assertThat(r.prefill()).containsOnlyKeys("5", "10", "20", "40");
            assertThat(r.contrastivePrefill()).containsOnlyKeys("5", "10", "20", "40");
            assertThat(r.direct().asr() + r.direct().refusalRate() + r.direct().otherRate()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(r.utility()).containsOnlyKeys("mc", "math");
        }
        // the kept models are checkpoints of what was measured: zero steps left the base's weights untouched
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
                deepalign.model.LanguageModel base = deepalign.model.LanguageModel.load(o.dir().resolve("base"), m);
                deepalign.model.LanguageModel kept = deepalign.model.LanguageModel.load(save.resolve("recipe-0/aligned"), m);
                deepalign.model.LanguageModel dpo = deepalign.model.LanguageModel.load(save.resolve("recipe-1/aligned"), m)) {
            String name = base.transformer().parameters().keySet().iterator().next();
            assertThat(kept.transformer().parameters().get(name).toFloatArray()).containsExactly(base.transformer().parameters().get(name).toFloatArray());
            assertThat(dpo.transformer().parameters().get(name).toFloatArray()).isNotEqualTo(base.transformer().parameters().get(name).toFloatArray());
        }
        // each kept pair is an organism folder: its config names the recipe, its world gives the oracle
        Organism kept = Organisms.at(save.resolve("recipe-1"));
        assertThat(kept.config().align().name()).isEqualTo("sft:40:1e-3:0.3+dpo:10:1e-4:0.1:1.0");
        assertThat(kept.config().world()).isEqualTo(cfg.world());
        assertThat(java.nio.file.Files.exists(save.resolve("recipe-1/data/harmful_test.jsonl"))).isTrue();
        assertThat(Organisms.oracle(save.resolve("recipe-1"))).isNotNull();
    }

    @Test
    void theOrganismsOwnAlignSeedReproducesItsAlignedModelAndAnotherSeedDrawsAnother() {
        Organism o = TinyOrganism.get();
        OrganismConfig cfg = Organisms.at(o.dir()).config();
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
                deepalign.model.LanguageModel base = deepalign.model.LanguageModel.load(o.dir().resolve("base"), m);
                deepalign.model.LanguageModel built = deepalign.model.LanguageModel.load(o.dir().resolve("aligned"), m)) {
            World world = World.generate(cfg.world());
            Corpus corpus = new Corpus(base.chat(), base.tokenizer());
            int pad = base.tokenizer().tokenToId("<pad>").orElseThrow();
            deepalign.model.LanguageModel same = base.copy(m);
            deepalign.model.LanguageModel other = base.copy(m);
            OrganismBuilder.align(same, world, corpus, cfg, cfg.seed(), pad, m);
            OrganismBuilder.align(other, world, corpus, cfg, cfg.seed() + 1, pad, m);
            for (String name : built.transformer().parameters().keySet()) {
                assertThat(same.transformer().parameters().get(name).toFloatArray()).as(name)
                        .containsExactly(built.transformer().parameters().get(name).toFloatArray());
            }
            String name = "model.layers.0.self_attn.q_proj.weight";
            assertThat(other.transformer().parameters().get(name).toFloatArray()).isNotEqualTo(built.transformer().parameters().get(name).toFloatArray());
        }
    }

    @Test
    void theSpreadOverDrawsCountsTheDrawsUnderTheCardsLine() {
        // the rest of the prefill-10 answers: refusals, or with "broken" broken text (neither harmful nor a refusal)
        java.util.function.BiFunction<Double, Double, RecipeStudy.Row> row = (p10, kl) -> {
            boolean broken = kl < 0;
            deepalign.eval.Rates r = new deepalign.eval.Rates(240, p10, new double[] {0, 1}, broken ? 0 : 1 - p10, broken ? 1 - p10 : 0);
            java.util.Map<String, deepalign.eval.Rates> prefill = java.util.Map.of("5", r, "10", r, "20", r, "40", r);
            return new RecipeStudy.Row("a", null, 0, r, prefill, prefill, 0, 0, 0, 0, Math.abs(kl), java.util.Map.of(), 0);
        };
        List<RecipeStudy.Spread> s = RecipeStudy.spread(List.of(row.apply(0.75, 0.04), row.apply(0.31, 0.03), row.apply(0.85, 0.05),
                row.apply(0.20, -0.04), row.apply(0.60, -0.04)));
        assertThat(s).hasSize(1);
        RecipeStudy.Spread a = s.get(0);
        assertThat(a.draws()).isEqualTo(5);
        assertThat(a.drawsUnderLine()).isEqualTo(2);
        assertThat(a.drawsUnderLineBroken()).isEqualTo(1);
        assertThat(a.prefill10Min()).isEqualTo(0.20);
        assertThat(a.prefill10Max()).isEqualTo(0.85);
        assertThat(a.prefill10Mean()).isCloseTo((0.75 + 0.31 + 0.85 + 0.20 + 0.60) / 5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(a.klHarmful21to40Min()).isEqualTo(0.03);
        assertThat(a.klHarmful21to40Max()).isEqualTo(0.05);
    }
}
