package deepalign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.data.Jsonl;
import deepalign.organism.Organism;
import deepalign.testing.TinyOrganism;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalyzeCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter stdout = new StringWriter();
    private final StringWriter stderr = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new AnalyzeCommand());
        cmd.setOut(new PrintWriter(stdout, true));
        cmd.setErr(new PrintWriter(stderr, true));
        return cmd.execute(args);
    }

    private static String[] pairArgs(Organism o, Path out, String responses) {
        return new String[] {"--base", o.base().toString(), "--aligned", o.aligned().toString(),
            "--harmful", o.data("harmful_test").toString(), "--benign", o.data("benign_test").toString(),
            "--responses", responses, "--max-positions", "24", "--limit", "6", "--out", out.toString()};
    }

    private static String[] concat(String first, String[] rest, String... more) {
        String[] out = new String[1 + rest.length + more.length];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        System.arraycopy(more, 0, out, 1 + rest.length, more.length);
        return out;
    }

    @Test
    void klWritesJsonCsvPngAndATable() throws Exception {
        Organism o = TinyOrganism.get();
        Path out = tmp.resolve("kl");
        assertThat(run(concat("kl", pairArgs(o, out, "aligned")))).as(stderr.toString()).isZero();

        JsonNode doc = Jsonl.readJson(out.resolve("kl.json"));
        assertThat(doc.get("analysis").asText()).isEqualTo("positional_kl");
        assertThat(doc.get("config").get("responses").asText()).isEqualTo("aligned");
        assertThat(doc.get("config").get("max_positions").asInt()).isEqualTo(24);
        assertThat(doc.get("examples").get("harmful").asInt()).isEqualTo(6);
        JsonNode pos = doc.get("positions");
        assertThat(pos.get("position")).hasSize(24);
        for (String split : List.of("harmful", "benign")) {
            assertThat(pos.get(split).get("mean")).hasSize(24);
            assertThat(pos.get(split).get("stderr")).hasSize(24);
            assertThat(pos.get(split).get("n").get(0).asInt()).isEqualTo(6);
            assertThat(pos.get(split).get("mean").get(0).asDouble()).isGreaterThanOrEqualTo(0);
        }
        List<String> csv = Files.readAllLines(out.resolve("kl.csv"));
        assertThat(csv.get(0)).isEqualTo("position,split,n,kl_mean,kl_stderr");
        assertThat(csv).hasSize(1 + 2 * 24);
        assertThat(csv.get(1)).startsWith("1,harmful,6,");
        assertThat(Files.size(out.resolve("kl.png"))).isPositive();
        assertThat(stdout.toString()).contains("1-3", "21-24", "ratio mean KL(1-3) / mean KL(21-40)");
    }

    @Test
    void tokensWritesSetsMassesAndTopTokens() throws Exception {
        Organism o = TinyOrganism.get();
        Path out = tmp.resolve("tok");
        assertThat(run(concat("tokens", pairArgs(o, out, "dataset"), "--k", "50", "--p-min", "1e-3"))).as(stderr.toString()).isZero();
        JsonNode doc = Jsonl.readJson(out.resolve("tokens.json"));
        assertThat(doc.get("config").get("k").asInt()).isEqualTo(50);
        assertThat(doc.get("config").get("p_min").asDouble()).isEqualTo(1e-3);
        JsonNode h = doc.get("positions").get("harmful");
        assertThat(h.get("base_mass").get("mean")).hasSize(24);
        assertThat(h.get("size").get("mean").get(0).asDouble()).isBetween(0.0, 50.0);
        assertThat(h.get("aligned_mass").get("n").get(0).asInt()).isEqualTo(6);
        assertThat(doc.get("top_tokens").get("harmful").get(0).get("count").asInt()).isPositive();
        assertThat(doc.get("summary").get("compared_positions_1_20").asInt()).isPositive();
        assertThat(Files.readAllLines(out.resolve("tokens.csv")).get(0))
                .isEqualTo("position,split,n,size_mean,size_stderr,base_mass_mean,base_mass_stderr,aligned_mass_mean,aligned_mass_stderr");
        assertThat(Files.size(out.resolve("tokens.png"))).isPositive();
        assertThat(stdout.toString()).contains("m^B harm", "top base-favored tokens, harmful:");
    }

    @Test
    void gradientsWritesTheSameLayout() throws Exception {
        Organism o = TinyOrganism.get();
        Path out = tmp.resolve("grad");
        assertThat(run("gradients", "--model", o.aligned().toString(), "--harmful", o.data("harmful_test").toString(),
                "--benign", o.data("benign_test").toString(), "--positions", "1-6", "--stride", "2", "--limit", "2",
                "--out", out.toString())).as(stderr.toString()).isZero();
        JsonNode doc = Jsonl.readJson(out.resolve("gradients.json"));
        assertThat(doc.get("positions").get("position")).hasSize(3);
        assertThat(doc.get("positions").get("position").get(1).asInt()).isEqualTo(3);
        assertThat(doc.get("positions").get("harmful").get("n").get(0).asInt()).isEqualTo(2);
        assertThat(doc.get("positions").get("harmful").get("mean").get(0).asDouble()).isPositive();
        assertThat(Files.exists(out.resolve("gradients.csv"))).isTrue();
        assertThat(Files.size(out.resolve("gradients.png"))).isPositive();
    }

    @Test
    void customModelsWithoutDataAreRefused() {
        Organism o = TinyOrganism.get();
        int rc = run("kl", "--base", o.base().toString(), "--aligned", o.aligned().toString(), "--out", tmp.toString());
        assertThat(rc).isNotZero();
        assertThat(stderr.toString()).contains("--data FILE or --harmful FILE --benign FILE");
    }
}
