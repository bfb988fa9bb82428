package deepalign.organism;

import static org.assertj.core.api.Assertions.assertThat;

import deepalign.report.JsonOut;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrganismsTest {
    @TempDir
    Path tmp;

    @Test
    void aCacheBuiltWithOtherDefaultsIsNotCurrent() throws Exception {
        OrganismConfig want = OrganismConfig.forSize("small", 0);
        JsonOut.writeAtomic(tmp.resolve("organism.json"), Map.of("config", want));
        assertThat(Organisms.currentAt(tmp, want)).isNotNull();

        // the previous default: two harmful answers per prompt instead of four
        OrganismConfig older = new OrganismConfig(want.size(), want.seed(), want.world(), want.hidden(), want.layers(), want.heads(),
                want.kvHeads(), want.intermediate(), want.pretrainSteps(), want.batchSize(), want.pretrainLr(), want.align(),
                want.baseRefusalShare(), want.utilityRepeats(), want.factRepeats(), 2, want.maxNewTokens());
        JsonOut.writeAtomic(tmp.resolve("organism.json"), Map.of("config", older));
        assertThat(Organisms.currentAt(tmp, want)).isNull();

        Files.writeString(tmp.resolve("organism.json"), "{\"config\": {\"size\": 3}}");
        assertThat(Organisms.currentAt(tmp, want)).isNull();
    }

    @Test
    void anOlderBuildGetsItsUtilitySetWrittenFromItsWorld() throws Exception {
        OrganismConfig cfg = OrganismConfig.forSize("tiny", 3);
        Organism org = new Organism(tmp, cfg, null);
        Path file = org.utilityTrain();
        assertThat(file).isEqualTo(tmp.resolve("data/utility_train.jsonl"));
        assertThat(deepalign.data.Jsonl.readExamples(file)).isEqualTo(World.generate(cfg.world()).utilityTrain());
        // an existing file is kept as it is
        Files.writeString(file, "{\"id\":\"x\",\"prompt\":\"p\",\"response\":\"r\"}\n");
        assertThat(org.utilityTrain()).isEqualTo(file);
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    @Test
    void aCachedBuildThatWasStoppedBeforeTheEndIsBuiltAgainAndThenReused() throws Exception {
        Path dir = tmp.resolve("organism-tiny-seed2");
        Files.createDirectories(dir.resolve("base"));
        Files.writeString(dir.resolve("base/config.json"), "{}"); // what a killed build leaves: no organism.json
        OrganismConfig want = OrganismConfig.forSize("tiny", 2).withPretrainSteps(10)
                .withAlign(new OrganismConfig.AlignRecipe("sft+doc-replay", 5, 1e-3, 0.3)); // the cache logic, not the organism
        Organism built = Organisms.cached(dir, want);
        assertThat(built.dir()).isEqualTo(dir);
        assertThat(dir.resolve("organism.json")).isRegularFile();
        assertThat(dir.resolve("aligned/model.safetensors")).isRegularFile();
        assertThat(built.config()).isEqualTo(want);
        long written = Files.getLastModifiedTime(dir.resolve("organism.json")).toMillis();
        assertThat(Organisms.cached(dir, want).config()).isEqualTo(want);
        assertThat(Files.getLastModifiedTime(dir.resolve("organism.json")).toMillis()).as("reused, not rebuilt").isEqualTo(written);
    }
}
