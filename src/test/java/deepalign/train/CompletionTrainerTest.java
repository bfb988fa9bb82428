package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.data.Jsonl;
import deepalign.model.LanguageModel;
import deepalign.model.RawTensor;
import deepalign.model.SafeTensors;
import deepalign.model.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Completion training on the shared tiny organism: outputs, effect, resume, LoRA, failures. */
class CompletionTrainerTest {
    @TempDir
    Path tmp;

    static Map<String, RawTensor> weights(Path modelDir) {
        return SafeTensors.readAll(modelDir.resolve("model.safetensors"));
    }

    /** Student probability mass on the cached base-favored tokens over all harmful response positions. */
    static double favoredMass(Path modelDir, TeacherCache cache, List<Sequence> seqs, int pad) {
        double mass = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = LanguageModel.load(modelDir, m).transformer();
            for (int i = 0; i < seqs.size(); i++) {
                try (Batch b = Batch.of(m, List.of(seqs.get(i)), pad)) {
                    float[] p = TeacherCache.rowsOf(t.forward(b.inputs(), b.mask(), null), TeacherCache.responseRows(b)).softmax(-1).toFloatArray();
                    TeacherCache.Entry e = cache.get(i);
                    int v = p.length / e.positions();
                    for (int s = 0; s < e.positions(); s++) for (int id : e.favored()[s]) mass += p[s * v + id];
                }
            }
        }
        return mass;
    }

    @Test
    void trainsAndWritesModelLogPlotCheckpointAndLowersBaseFavoredMass() throws Exception {
        Path out = tmp.resolve("run");
        CompletionConfig cfg = TrainFixtures.quick(out).withData(new TrainingData.Config(TrainFixtures.harmful(), TrainFixtures.utility(),
                TrainingData.Source.BASE, TrainingData.Source.DATASET, 24, 0, 0, 256));
        CompletionTrainer.Result r = CompletionTrainer.train(cfg);

        assertThat(r.steps()).isEqualTo(4);
        assertThat(r.stepsPerEpoch()).isEqualTo(4);
        for (String f : List.of("model/config.json", "model/model.safetensors", "model/tokenizer.json", "train.jsonl", "train.png", "result.json",
                "config.json", "teacher_profile.json", "ckpt/state.json", "ckpt/weights.safetensors", "ckpt/adam.safetensors")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        List<JsonNode> lines = Jsonl.readTree(out.resolve("train.jsonl"));
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0).get("header").get("teacher_truncation").asText()).contains("top-64").contains("other tokens");
        for (int s = 1; s <= 4; s++) {
            JsonNode l = lines.get(s);
            assertThat(l.get("step").asInt()).isEqualTo(s);
            for (String k : List.of("epoch", "loss", "l_kl", "l_comp", "lr", "tokens_per_s")) assertThat(l.has(k)).as(k).isTrue();
            assertThat(l.get("loss").asDouble()).isCloseTo(l.get("l_kl").asDouble() + l.get("l_comp").asDouble(), within(1e-4));
        }
        assertThat(lines.get(1).get("l_comp").asDouble()).isPositive();
        JsonNode profile = Jsonl.readJson(out.resolve("teacher_profile.json"));
        assertThat(profile.get("harmful").get("kl_aligned_base").get(0).asDouble()).isPositive();
        assertThat(profile.get("weak_signal_positions").size()).isEqualTo(r.weakSignalPositions().size());
        assertThat(r.matmulGflops()).isPositive();
        // base-generated harmful responses were written, one per harmful prompt, with their ids
        List<JsonNode> gen = Jsonl.readTree(out.resolve("harmful_responses.jsonl"));
        assertThat(gen).hasSize(12).allMatch(n -> n.has("response_ids"));

        // the effect the loss is built for: less student mass on B_t over the harmful training positions
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModel aligned = LanguageModel.load(cfg.aligned(), m);
            LanguageModel base = LanguageModel.load(cfg.base(), m);
            List<Sequence> harmful = new ArrayList<>();
            for (TrainingData.Pair p : TrainingData.harmful(cfg.data(), aligned, base, out.resolve("harmful_responses.jsonl"))) {
                harmful.add(p.sequence());
            }
            TeacherCache cache = TeacherCache.build(base.transformer(), aligned.transformer(), harmful, aligned.padId(), cfg.teacher());
            double before = favoredMass(cfg.aligned(), cache, harmful, aligned.padId());
            double after = favoredMass(r.model(), cache, harmful, aligned.padId());
            assertThat(before).isPositive();
            assertThat(after).isLessThan(before);
        }
    }

    @Test
    void resumingAfterAKillGivesTheWeightsOfAStraightRun() throws Exception {
        Path straight = tmp.resolve("straight");
        CompletionConfig cfg = TrainFixtures.quick(straight).withRun(3, 2, 0.4);
        CompletionTrainer.train(cfg);

        Path killed = tmp.resolve("killed");
        assertThatThrownBy(() -> CompletionTrainer.run(cfg.withOut(killed), false, s -> {
            if (s.step() == 3) throw new IllegalStateException("killed");
        })).hasMessage("killed");
        assertThat(Path.of(killed.toString(), "model")).doesNotExist();
        assertThat(TrainCheckpoint.load(killed).step()).isEqualTo(2);

        CompletionTrainer.Result r = CompletionTrainer.resume(killed, null);
        assertThat(r.resumedFromStep()).isEqualTo(2);
        Map<String, RawTensor> a = weights(straight.resolve("model"));
        Map<String, RawTensor> b = weights(killed.resolve("model"));
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String name : a.keySet()) {
            float[] x = a.get(name).toFloats();
            float[] y = b.get(name).toFloats();
            for (int i = 0; i < x.length; i++) assertThat(y[i]).as(name).isCloseTo(x[i], within(1e-6f));
        }
        List<JsonNode> lines = Jsonl.readTree(killed.resolve("train.jsonl"));
        assertThat(lines.stream().filter(n -> n.has("step")).map(n -> n.get("step").asInt()).toList()).containsExactly(1, 2, 3, 4);
        assertThat(CompletionTrainer.savedConfig(killed)).isEqualTo(cfg.withOut(killed));
    }

    /** The first step's log of a run, stopping the run there. */
    private static CompletionTrainer.StepLog firstStep(CompletionConfig cfg) {
        CompletionTrainer.StepLog[] first = new CompletionTrainer.StepLog[1];
        assertThatThrownBy(() -> CompletionTrainer.run(cfg, false, s -> {
            first[0] = s;
            throw new IllegalStateException("stop");
        })).hasMessage("stop");
        return first[0];
    }

    @Test
    void withoutTheTeacherCacheStepOneHasTheSameLoss() {
        CompletionConfig cfg = TrainFixtures.quick(tmp.resolve("cached"));
        CompletionTrainer.StepLog cached = firstStep(cfg);
        CompletionConfig live = cfg.withOut(tmp.resolve("live")).withRecomputedTeacher(true);
        CompletionTrainer.StepLog recomputed = firstStep(live);
        assertThat(cached.comp()).isPositive();
        // the teachers see other padding (per batch, not per length group of the whole set): rounding only
        assertThat(recomputed.loss()).isCloseTo(cached.loss(), within(1e-4 * cached.loss()));
        assertThat(recomputed.kl()).isCloseTo(cached.kl(), within(1e-4 * cached.kl() + 1e-6));
        assertThat(recomputed.comp()).isCloseTo(cached.comp(), within(1e-4 * cached.comp()));
        assertThat(recomputed.gradNorm()).isCloseTo(cached.gradNorm(), within(1e-3 * cached.gradNorm()));
        assertThat(tmp.resolve("cached/teacher_profile.json")).isRegularFile();
        assertThat(tmp.resolve("live/teacher_profile.json")).doesNotExist(); // the profile is a by-product of the cache
        assertThat(Jsonl.readJson(tmp.resolve("live/config.json")).get("config").get("recomputeTeacher").asBoolean()).isTrue();
    }

    @Test
    void configsSavedBeforeTheOptionResumeWithTheCache() throws Exception {
        CompletionConfig cfg = TrainFixtures.quick(tmp.resolve("old"));
        com.fasterxml.jackson.databind.node.ObjectNode json = Jsonl.MAPPER.valueToTree(cfg);
        assertThat(json.remove("recomputeTeacher").asBoolean()).isFalse();
        assertThat(Jsonl.MAPPER.treeToValue(json, CompletionConfig.class)).isEqualTo(cfg);
    }

    @Test
    void aFreshRunRefusesADirectoryWithACheckpoint() {
        Path out = tmp.resolve("twice");
        CompletionTrainer.train(TrainFixtures.quick(out));
        assertThatThrownBy(() -> CompletionTrainer.train(TrainFixtures.quick(out)))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("--resume");
    }

    @Test
    void aNonFiniteLossStopsWithTheStepAndKeepsTheLastGoodCheckpoint() {
        Path out = tmp.resolve("nan");
        CompletionConfig cfg = TrainFixtures.quick(out).withSchedule(1, 1e30, 8).withRun(0, 1, 0.4);
        assertThatThrownBy(() -> CompletionTrainer.train(cfg))
                .isInstanceOf(DeepalignException.class)
                .hasMessageMatching("completion training: the (loss|gradient) became (NaN|-?Infinity) at step \\d+ .*last good checkpoint is .*ckpt.*--lr");
        long good = TrainCheckpoint.load(out).step();
        assertThat(good).isBetween(1L, 3L);
        List<JsonNode> lines = Jsonl.readTree(out.resolve("train.jsonl"));
        assertThat(lines.get(lines.size() - 1).get("step").asLong()).isEqualTo(good);
        assertThat(out.resolve("model")).doesNotExist();
    }

    @Test
    void loraChangesOnlyAdaptersAndSavesTheMergedModel() {
        Path out = tmp.resolve("lora");
        CompletionConfig cfg = TrainFixtures.quick(out).withLora(2, 0).withSchedule(1, 1e-2, 8);
        CompletionTrainer.train(cfg);
        Map<String, RawTensor> aligned = weights(cfg.aligned());
        Map<String, RawTensor> saved = weights(out.resolve("model"));
        Map<String, RawTensor> adapters = SafeTensors.readAll(out.resolve("ckpt/weights.safetensors"));
        assertThat(adapters.keySet()).allMatch(k -> k.endsWith(".lora_A") || k.endsWith(".lora_B"));
        double scale = 2.0 * 2 / 2; // alpha = 2r by default, scale = alpha / r
        int changed = 0;
        for (String name : aligned.keySet()) {
            float[] w = aligned.get(name).toFloats();
            float[] s = saved.get(name).toFloats();
            if (!LoraAdapters.adapted(name)) {
                assertThat(s).as(name).containsExactly(w);
                continue;
            }
            float[] a = adapters.get(name + ".lora_A").toFloats();
            float[] b = adapters.get(name + ".lora_B").toFloats();
            long[] shape = aligned.get(name).shape();
            int rows = (int) shape[0], cols = (int) shape[1];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double ba = b[i * 2] * a[j] + b[i * 2 + 1] * a[cols + j];
                    assertThat(s[i * cols + j]).isCloseTo((float) (w[i * cols + j] + scale * ba), within(1e-5f));
                    if (s[i * cols + j] != w[i * cols + j]) changed++;
                }
            }
        }
        assertThat(changed).isPositive();
    }

    @Test
    void refusesABaseWithAnotherVocabulary() throws Exception {
        Path fake = tmp.resolve("other-base");
        Files.createDirectories(fake);
        Path base = TrainFixtures.organism().base();
        try (var files = Files.list(base)) {
            for (Path f : files.toList()) Files.copy(f, fake.resolve(f.getFileName()));
        }
        String tok = Files.readString(fake.resolve("tokenizer.json"));
        // rename the last word of the vocabulary: same size, one differing token
        Files.writeString(fake.resolve("tokenizer.json"), tok.replaceFirst("\"([a-z]+)\" : (\\d+)\\s*}", "\"zzzother\" : $2 }"));
        CompletionConfig cfg = TrainFixtures.quick(tmp.resolve("x"));
        CompletionConfig bad = new CompletionConfig(fake, cfg.aligned(), null, cfg.out(), cfg.data(), cfg.teacher(), cfg.loss(), 1, 1e-3, 0.05, 8,
                0.4, 0, 0, 0, 0);
        assertThatThrownBy(() -> CompletionTrainer.train(bad)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("share one vocabulary").hasMessageContaining("tokenizer.json");
    }

    @Test
    void recoveryRunsBothStagesAndReusesFinishedOnes() {
        Path out = tmp.resolve("recover");
        CompletionConfig cfg = TrainFixtures.quick(out);
        Recovery.Result r = Recovery.run(new Recovery.Config(cfg.base(), cfg, 1)); // the base plays the broken model
        assertThat(out.resolve("model/model.safetensors")).isRegularFile();
        assertThat(out.resolve("recover.json")).isRegularFile();
        JsonNode s1 = Jsonl.readJson(out.resolve("stage1/config.json")).get("config");
        assertThat(s1.get("teacher").get("lambda").asDouble()).isEqualTo(1.0);
        assertThat(s1.get("loss").get("enabled").asBoolean()).isFalse();
        assertThat(r.stage1().finalComp()).isZero();
        JsonNode s2 = Jsonl.readJson(out.resolve("stage2/config.json")).get("config");
        assertThat(s2.get("student").asText()).contains("stage1");
        assertThat(s2.get("teacher").get("lambda").asDouble()).isEqualTo(1.2);
        Recovery.Result again = Recovery.run(new Recovery.Config(cfg.base(), cfg, 1));
        assertThat(again.stage2().finalLoss()).isEqualTo(r.stage2().finalLoss());
    }
}
