package deepalign.cli;

import static deepalign.cli.ModelCommandsTest.assertBadInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.bench.Flops;
import deepalign.data.Jsonl;
import deepalign.model.ModelConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs each workload once on the organism shape at a tiny size; checks what is recorded, not how fast it was. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void benchAllWritesEveryWorkloadWithMachineAndFormulas() {
        Path out = tmp.resolve("bench.json");
        Cli.Result r = Cli.run("bench", "all", "--size", "organism", "--batch", "2", "--seq", "8", "--prompt-len", "4",
                "--new-tokens", "3", "--iters", "1", "--matmul-reps", "1", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("bench all", "float32 matmul 2048x512x1536", "forward", "train", "generate", "of matmul",
                "teacher-cache", "completion-cached", "completion-no-cache");

        JsonNode doc = Jsonl.readJson(out);
        assertThat(doc.get("benchmark").asText()).isEqualTo("all");
        assertThat(doc.get("model").get("source").asText()).isEqualTo("random organism");
        assertThat(doc.get("model").get("parameters").asLong()).isEqualTo(966_784L);
        JsonNode machine = doc.get("machine");
        assertThat(machine.get("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(machine.get("intra_op_threads").asInt()).isPositive();
        assertThat(machine.get("workers").asInt()).isEqualTo(deepalign.model.Workers.count());
        assertThat(machine.has("tcmalloc")).isTrue();
        assertThat(machine.get("load_average").asDouble()).isNotNegative();
        assertThat(machine.get("versions").get("pytorch").asText()).isNotBlank();
        assertThat(doc.get("matmul").get("gflops").asDouble()).isPositive();
        assertThat(doc.get("flop_formulas").get("forward").asText()).contains("4 * layers * T_ctx");
        assertThat(doc.get("flop_formulas").get("completion").asText()).contains("teachers * forward");

        JsonNode results = doc.get("results");
        assertThat(results).hasSize(7);
        assertThat(results.get(0).get("kind").asText()).isEqualTo("forward");
        // the training step is split over the workers as Sft splits it (one shard per worker, at most one per row)
        int shards = Math.min(2, deepalign.model.Workers.count());
        assertThat(results.get(1).get("kind").asText()).isEqualTo(shards == 1 ? "train" : "train-" + shards + "w");
        assertThat(results.get(2).get("batch").asInt()).isEqualTo(1);
        assertThat(results.get(3).get("batch").asInt()).isEqualTo(32);
        assertThat(results.get(3).get("tokens_per_iter").asLong()).isEqualTo(32 * 3);
        ModelConfig c = deepalign.bench.Benchmarks.size("organism");
        assertThat(results.get(0).get("gflop_per_iter").asDouble()).isEqualTo(Flops.forward(c, 2, 8) / 1e9);
        assertThat(results.get(1).get("gflop_per_iter").asDouble()).isEqualTo(Flops.train(c, 2, 8) / 1e9);
        // completion: the cache build runs both teachers once; a cached step is a training step; without the cache a
        // step also runs both teachers
        assertThat(results.get(4).get("kind").asText()).isEqualTo("teacher-cache");
        assertThat(results.get(4).get("gflop_per_iter").asDouble()).isEqualTo(2 * Flops.forward(c, 2, 8) / 1e9);
        assertThat(results.get(5).get("kind").asText()).isEqualTo("completion-cached");
        assertThat(results.get(5).get("gflop_per_iter").asDouble()).isEqualTo(Flops.train(c, 2, 8) / 1e9);
        assertThat(results.get(6).get("kind").asText()).isEqualTo("completion-no-cache");
        assertThat(results.get(6).get("gflop_per_iter").asDouble()).isEqualTo((Flops.train(c, 2, 8) + 2 * Flops.forward(c, 2, 8)) / 1e9);
        for (int i = 4; i < 7; i++) assertThat(results.get(i).get("tokens_per_iter").asLong()).isEqualTo(2 * 8);
        for (JsonNode res : results) {
            assertThat(res.get("tokens_per_second").asDouble()).isPositive();
            assertThat(res.get("gflops").asDouble())
                    .isCloseTo(res.get("gflop_per_iter").asDouble() / res.get("median_seconds").asDouble(), within(1e-9));
        }
    }

    @Test
    void benchForwardOnACheckpoint() {
        Path model = tmp.resolve("m");
        assertThat(Cli.run("model", "init", "--arch", "qwen2", "--hidden", "16", "--layers", "1", "--heads", "2",
                "--intermediate", "32", "--vocab", "24", "--out", model.toString()).exit()).isZero();
        Path out = tmp.resolve("f.json");
        Cli.Result r = Cli.run("bench", "forward", "--model", model.toString(), "--batch", "1", "--seq", "4", "--iters", "2",
                "--matmul-reps", "1", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = Jsonl.readJson(out);
        assertThat(doc.get("model").get("arch").asText()).isEqualTo("qwen2");
        assertThat(doc.get("results").get(0).get("iters").asInt()).isEqualTo(2);
    }

    @Test
    void badBenchInputIsOneSentence() {
        String out = tmp.resolve("x.json").toString();
        assertBadInput(Cli.run("bench", "forward", "--size", "huge", "--out", out), "unknown benchmark size 'huge'");
        assertBadInput(Cli.run("bench", "forward", "--size", "organism", "--model", tmp.toString(), "--out", out), "either --model or --size");
        assertBadInput(Cli.run("bench", "forward", "--size", "organism", "--iters", "0", "--out", out), "at least 1");
        assertBadInput(Cli.run("bench", "forward", "--size", "organism", "--threads", "0", "--out", out), "--threads");
        assertThat(Cli.run("bench").exit()).isEqualTo(2);
        assertThat(Cli.run("bench", "--help").out()).contains("forward", "train", "generate", "completion", "all", "matmul");
        assertBadInput(Cli.run("bench", "completion", "--size", "organism", "--seq", "0", "--out", out), "at least 1");
        assertThat(Cli.run("bench", "generate", "--help").out()).contains("--new-tokens", "--batch", "prefill");
    }
}
