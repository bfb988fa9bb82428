package deepalign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.attack.GcgConfig;
import deepalign.data.Jsonl;
import deepalign.organism.Organism;
import deepalign.testing.TinyOrganism;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GcgCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter stdout = new StringWriter();
    private final StringWriter stderr = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new GcgCommand());
        cmd.setOut(new PrintWriter(stdout, true));
        cmd.setErr(new PrintWriter(stderr, true));
        return cmd.execute(args);
    }

    @Test
    void attacksOrganismPromptsAndWritesRecordsCurvesAndPlot() {
        Organism org = TinyOrganism.get();
        Path out = tmp.resolve("gcg");
        int code = run("--model", org.aligned().toString(), "--limit", "2", "--suffix-length", "4", "--topk", "8",
                "--candidates", "8", "--steps", "3", "--eval-every", "0", "--max-new-tokens", "24", "--out", out.toString());
        assertThat(code).as(stderr.toString()).isZero();
        JsonNode doc = Jsonl.readJson(out.resolve("gcg.json"));
        assertThat(doc.get("judge").asText()).isEqualTo("oracle"); // the model sits in an organism folder
        assertThat(doc.get("data").asText()).endsWith("harmful_test.jsonl");
        assertThat(doc.get("config").get("suffixLength").asInt()).isEqualTo(4);
        assertThat(doc.get("summary").get("n").asInt()).isEqualTo(2);
        assertThat(doc.get("summary").get("mean_first_target_prob").asDouble()).isBetween(0.0, 1.0);
        JsonNode rec = doc.get("records").get(0);
        assertThat(rec.get("losses").size()).isEqualTo(rec.get("steps").asInt() + 1);
        assertThat(rec.get("suffix").asText().split(" ")).hasSize(4);
        assertThat(rec.get("verdict").asText()).isIn("harmful", "refusal", "other");
        assertThat(Files.isRegularFile(out.resolve("loss_curves.png"))).isTrue();
        assertThat(stdout.toString()).contains("ASR").contains("judge: oracle");
    }

    @Test
    void optionsOverrideThePreset() {
        GcgCommand c = new GcgCommand();
        new CommandLine(c).parseArgs("--preset", "paper", "--steps", "9", "--seed", "3", "--out", "x");
        assertThat(c.config()).isEqualTo(GcgConfig.paper().withSteps(9).withSeed(3));
        new CommandLine(c = new GcgCommand()).parseArgs("--first-weight", "4", "--out", "x");
        assertThat(c.config()).isEqualTo(GcgConfig.organism().withFirstWeight(4));
        new CommandLine(c = new GcgCommand()).parseArgs("--warm-start", "target", "--out", "x");
        assertThat(c.config()).isEqualTo(GcgConfig.organism().withWarmStart("target"));
        new CommandLine(c = new GcgCommand()).parseArgs("--out", "x");
        assertThat(c.config()).isEqualTo(GcgConfig.organism());
    }

    @Test
    void refusesAnOracleWithoutOrganismAndAMissingPromptFile() throws Exception {
        Path model = tmp.resolve("m");
        Files.createDirectories(model);
        assertThat(GcgCommand.organismOf(model)).isNull();
        assertThat(run("--model", model.toString(), "--out", tmp.resolve("o").toString())).isNotZero();
        assertThat(stderr.toString()).contains("--data is required");
        assertThat(run("--model", model.toString(), "--data", tmp.resolve("none.jsonl").toString(), "--out", tmp.resolve("o").toString()))
                .isNotZero();
        assertThat(stderr.toString()).contains("none.jsonl does not exist");
    }
}
