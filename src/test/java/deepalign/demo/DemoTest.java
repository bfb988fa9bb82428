package deepalign.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.attack.GcgConfig;
import deepalign.data.Jsonl;
import deepalign.testing.TinyOrganism;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo, every stage for real, on the shared tiny organism: only the amounts are cut (a few test and
 * training examples, one GCG prompt of two steps, one epoch) so that it runs in well under a minute.
 */
class DemoTest {
    static final List<String> METHODS = List.of("base", "aligned", "contrastive", "completion", "sft_refusal", "augment", "recovered");

    @TempDir
    Path tmp;

    @Test
    void quickDemoOnATinyOrganismWritesACompleteFiniteReport() throws Exception {
        Path out = tmp.resolve("demo");
        DemoConfig cfg = DemoConfig.of(out, 0, true).withOrganism(TinyOrganism.get().dir()).withLimits(6, 16)
                .withBudgets(2, 1, new GcgConfig(4, 8, 8, 2, 0, 8, "!", 0), 1, 2, 24);
        Path report = Demo.run(cfg);

        assertThat(report).isEqualTo(out.resolve("report.json"));
        assertThat(out.resolve("report.html")).isRegularFile();
        JsonNode doc = Jsonl.readJson(report);
        assertThat(names(doc)).contains("asr", "utility", "kl_by_position", "base_favored", "base_favored_dataset", "timing", "config", "versions");
        assertThat(out.resolve("stages/base_favored_dataset.json")).isRegularFile();
        for (String split : List.of("harmful", "benign")) {
            assertThat(doc.get("base_favored_dataset").get(split).get("base_mass").size()).as(split).isPositive();
        }
        assertThat(doc.get("errors").size()).as(doc.get("errors").toString()).isZero();

        JsonNode asr = doc.get("asr");
        assertThat(names(asr)).containsAll(METHODS);
        for (String method : METHODS) {
            assertThat(asr.get(method).size()).as(method).isPositive();
            for (Map.Entry<String, JsonNode> cell : asr.get(method).properties()) {
                JsonNode r = cell.getValue();
                String where = method + "/" + cell.getKey();
                assertThat(names(r)).as(where).contains("rate", "n", "ci95", "refusal_rate", "other_rate");
                assertThat(r.get("n").asInt()).as(where).isPositive();
                assertThat(r.get("ci95").size()).as(where).isEqualTo(2);
                double sum = r.get("rate").asDouble() + r.get("refusal_rate").asDouble() + r.get("other_rate").asDouble();
                assertThat(sum).as(where).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
            }
        }
        // the limits reached every stage: 6 harmful test prompts per attack, 1 for GCG, 16 training examples
        assertThat(asr.get("aligned").get("direct").get("n").asInt()).isEqualTo(6);
        assertThat(asr.get("aligned").get("gcg").get("n").asInt()).isEqualTo(1);
        assertThat(asr.get("recovered").get("finetune").get("n").asInt()).isEqualTo(6);
        assertThat(Files.readAllLines(out.resolve("data/harmful_train.jsonl"))).hasSize(16);
        assertThat(names(doc.get("utility"))).contains("base", "aligned", "contrastive", "completion", "finetuned", "recovered");
        assertThat(names(doc.get("kl_by_position"))).contains("aligned", "completion");
        assertThat(doc.get("kl_by_position").get("aligned").size()).isPositive();
        // how many of the 6 responses reach each position: one count per KL value, all at the first, never rising
        for (String method : List.of("aligned", "completion")) {
            JsonNode n = doc.get("kl_by_position_n").get(method);
            assertThat(n.size()).as(method).isEqualTo(doc.get("kl_by_position").get(method).size());
            assertThat(n.get(0).asInt()).as(method).isEqualTo(6);
            for (int i = 1; i < n.size(); i++) assertThat(n.get(i).asInt()).as(method + " at " + (i + 1)).isBetween(1, n.get(i - 1).asInt());
        }
        assertThat(doc.get("config").get("organism").asText()).isEqualTo(TinyOrganism.get().dir().toString());
        // the organism's card lines travel with the report, and the page says when the pair misses one
        JsonNode checks = doc.get("organism_card_checks");
        assertThat(checks.size()).isEqualTo(TinyOrganism.get().card().checks().size()).isEqualTo(6);
        boolean anyMissed = false;
        for (JsonNode c : checks) anyMissed |= !c.get("holds").asBoolean();
        assertThat(Files.readString(out.resolve("report.html")).contains("card lines, so the pair below does not reproduce")).isEqualTo(anyMissed);

        // GCG's loss curves (one per attacked prompt) and the plots the page promises
        for (String method : List.of("aligned", "completion")) {
            JsonNode curves = doc.get("gcg_loss_curves").get(method);
            assertThat(curves.size()).as(method).isEqualTo(1);
            assertThat(curves.get(0).size()).as(method).isPositive();
        }
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("GCG: target loss by step", "Training loss by step", "KL by response position", "Base-favored tokens");
        // the page says which alignment recipe made the organism it reports on
        assertThat(html).contains("alignment recipe " + deepalign.organism.Organisms.at(java.nio.file.Path.of(doc.get("config").get("organism").asText()))
                .config().align().name());
        assertThat(html.split("data:image/png;base64,", -1).length - 1).isEqualTo(4);

        List<String> bad = new ArrayList<>();
        nonFinite(doc, "", bad);
        assertThat(bad).as("non-finite numbers in report.json").isEmpty();

        // run again into the same folder: the finished training runs (same configs) are reused, not trained again
        // (a second run used to stop at completion training, whose folder held the first run's checkpoint)
        List<String> trainLogs = new ArrayList<>();
        for (String run : List.of("completion", "sft_refusal", "augment", "finetune_attack", "recovery/stage1", "recovery/stage2")) {
            trainLogs.add(run + ": " + Files.readString(out.resolve("train").resolve(run).resolve(run.equals("finetune_attack") ? "attack.json" : "train.jsonl")));
        }
        JsonNode again = Jsonl.readJson(Demo.run(cfg));
        assertThat(again.get("errors").size()).as(again.get("errors").toString()).isZero();
        for (String log : trainLogs) {
            String run = log.substring(0, log.indexOf(':'));
            String now = Files.readString(out.resolve("train").resolve(run).resolve(run.equals("finetune_attack") ? "attack.json" : "train.jsonl"));
            assertThat(run + ": " + now).isEqualTo(log);
        }
        assertThat(doc.get("reused_training_runs").size()).isZero();
        assertThat(again.get("reused_training_runs").toString()).contains("completion", "sft_refusal", "augment", "finetune_attack",
                "recovery/stage1", "recovery/stage2");
        assertThat(Files.readString(out.resolve("report.html"))).contains("reused training runs finished by an earlier run");
        assertThat(again.get("asr")).isEqualTo(doc.get("asr"));
        assertThat(again.get("utility")).isEqualTo(doc.get("utility"));
        // nor the runs of another organism build in the same folders (the stamp records the organism.json they were trained on)
        Path stamp = out.resolve("train/organism.sha256");
        String recorded = Files.readString(stamp);
        Files.writeString(stamp, "not the same build " + recorded);
        assertThatThrownBy(() -> Demo.run(cfg)).isInstanceOf(DeepalignException.class).hasMessageContaining("another organism build");
        Files.writeString(stamp, recorded);
        // a finished run of another configuration is never reused silently
        DemoConfig other = cfg.withBudgets(2, 1, new GcgConfig(4, 8, 8, 2, 0, 8, "!", 0), 2, 2, 24);
        assertThatThrownBy(() -> Demo.run(other)).isInstanceOf(DeepalignException.class).hasMessageContaining("another configuration");
    }

    /** By-position curves stop where fewer than 10 responses (or fewer than all, when fewer were scored) remain. */
    @Test
    void positionCurvesStopWhereFewResponsesRemain() {
        assertThat(DemoHtml.plotted(5, new int[] {40, 30, 12, 9, 3})).isEqualTo(3);
        assertThat(DemoHtml.plotted(5, new int[] {40, 8, 8, 8, 8})).isEqualTo(1);
        assertThat(DemoHtml.plotted(4, new int[] {6, 6, 5, 1})).isEqualTo(2);
        assertThat(DemoHtml.plotted(2, new int[] {40, 30, 20})).isEqualTo(2);
        assertThat(DemoHtml.plotted(3, null)).isEqualTo(3);
    }

    /** A finished prompt counts with its last loss: curves [1, 2, 3] and [4] average to [2.5, 3, 3.5]. */
    @Test
    void gcgMeanCurveCarriesFinishedPromptsForward() {
        var c = DemoHtml.meanCurve("m", List.of(List.of(1.0, 2.0, 3.0), List.of(4.0)));
        assertThat(c.y()).containsExactly(2.5, 3.0, 3.5);
        assertThat(c.x()).containsExactly(0.0, 1.0, 2.0);
    }

    @Test
    void aDirectoryWithoutAnOrganismIsRefusedInOneSentence() {
        DemoConfig cfg = DemoConfig.of(tmp.resolve("x"), 0, true).withOrganism(tmp);
        assertThatThrownBy(() -> Demo.run(cfg)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(tmp.toString()).hasMessageContaining("no organism.json");
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Paths of every number in {@code node} that is NaN or infinite (or a string spelling one). */
    private static void nonFinite(JsonNode node, String path, List<String> bad) {
        if (node.isNumber() && !Double.isFinite(node.asDouble())) bad.add(path);
        if (node.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(node.asText())) bad.add(path);
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) nonFinite(node.get(i), path + "[" + i + "]", bad);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            nonFinite(e.getValue(), path + "." + e.getKey(), bad);
        }
    }
}
