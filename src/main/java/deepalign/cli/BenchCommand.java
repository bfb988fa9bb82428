package deepalign.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import deepalign.DeepalignException;
import deepalign.bench.BenchReport;
import deepalign.bench.Benchmarks;
import deepalign.bench.CompletionBench;
import deepalign.bench.Machine;
import deepalign.model.Checkpoint;
import deepalign.model.ModelConfig;
import deepalign.model.ModelInit;
import deepalign.model.Transformer;
import deepalign.report.JsonOut;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepalign bench}: tokens/s and achieved GFLOP/s of forward, training, generation and completion training
 * (with and without the teacher cache), each next to the
 * float32 matmul rate measured in the same run, written as JSON (with machine, versions and FLOP formulas).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure model throughput (tokens/s, GFLOP/s) against this machine's float32 matmul rate.",
                "Every run also times a 2048x512x1536 matmul, so 'of matmul' says how close the model code is to "
                + "the rate the hardware reaches; the JSON records machine, allocator, threads and versions."},
        subcommands = {BenchCommand.Forward.class, BenchCommand.Train.class, BenchCommand.Generate.class, BenchCommand.Completion.class,
                BenchCommand.All.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "bench needs a workload: forward, train, generate, completion or all.");
    }

    /** What to run on and where to write: shared by every workload. */
    public static final class Target {
        @Option(names = "--model", paramLabel = "DIR",
                description = "Benchmark this Hugging Face model directory (float32) instead of a random model.")
        Path model;

        @Option(names = "--size", paramLabel = "S",
                description = "Random model of this shape when no --model is given: organism (hidden 128, 4 layers, vocab 1400, tied)"
                        + " or h512 (hidden 512, 8 layers, 8 heads, intermediate 1536, vocab 2000). Default: h512.")
        String size;

        @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Where to write the results (JSON).")
        Path out;

        @Option(names = "--threads", paramLabel = "N",
                description = "PyTorch intra-op threads for this run (default: PyTorch's choice, usually one per core).")
        Integer threads;

        @Option(names = "--matmul-reps", defaultValue = "9", paramLabel = "N",
                description = "Timed repetitions of the reference matmul; the median is reported (default: ${DEFAULT-VALUE}).")
        int matmulReps;

        String source() {
            return model != null ? model.toString() : "random " + sizeName();
        }

        private String sizeName() {
            return size == null ? "h512" : size;
        }

        /** The model to measure, in {@code manager}: loaded, or random with seed 0. */
        Transformer load(NDManager manager) {
            if (model != null && size != null) throw new DeepalignException("give either --model or --size, not both.");
            if (model != null) return Checkpoint.load(model, manager, DataType.FLOAT32);
            ModelConfig c = Benchmarks.size(sizeName());
            return ModelInit.random(c, manager, 0);
        }
    }

    /** A workload subcommand: the shared {@link Target} options and the report; each subclass says what it times. */
    abstract static class Workload implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        /** Times this workload on {@code model}, adding one throughput per measured setting to {@code results}. */
        abstract void measure(Transformer model, List<Benchmarks.Throughput> results);

        /** Measures the reference matmul and the workload, and writes the report named after the subcommand. */
        @Override
        public Integer call() {
            if (target.threads != null) {
                if (target.threads < 1) throw new DeepalignException("--threads must be at least 1, not " + target.threads + ".");
                Machine.setIntraOpThreads(target.threads);
            }
            if (target.matmulReps < 1) throw new DeepalignException("--matmul-reps must be at least 1, not " + target.matmulReps + ".");
            try (NDManager manager = NDManager.newBaseManager()) {
                Transformer t = target.load(manager);
                Machine machine = Machine.current();
                Benchmarks.Matmul mm = Benchmarks.matmul(target.matmulReps);
                List<Benchmarks.Throughput> results = new ArrayList<>();
                measure(t, results);
                BenchReport report = BenchReport.of(spec.name(), BenchReport.ModelInfo.of(target.source(), t.config(), "float32"), machine, mm,
                        results);
                JsonOut.writeAtomic(target.out, report);
                PrintWriter w = spec.commandLine().getOut();
                w.print(report.table().render());
                w.println("wrote " + target.out);
                w.flush();
            }
            return 0;
        }
    }

    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = "Time stateless forward passes over random token ids ([batch, seq], no padding).")
    public static final class Forward extends Workload {
        @Option(names = "--batch", defaultValue = "4", paramLabel = "B", description = "Sequences per forward (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq", defaultValue = "512", paramLabel = "T", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
        int seq;

        @Option(names = "--iters", defaultValue = "5", paramLabel = "N", description = "Timed iterations after one warm-up (default: ${DEFAULT-VALUE}).")
        int iters;

        @Override
        void measure(Transformer t, List<Benchmarks.Throughput> r) {
            r.add(Benchmarks.forward(t, batch, seq, iters));
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Time training steps (forward, cross-entropy, backward, AdamW) on a copy of the model.")
    public static final class Train extends Workload {
        @Option(names = "--batch", defaultValue = "4", paramLabel = "B", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq", defaultValue = "512", paramLabel = "T", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
        int seq;

        @Option(names = "--iters", defaultValue = "3", paramLabel = "N", description = "Timed steps after one warm-up (default: ${DEFAULT-VALUE}).")
        int iters;

        @Override
        void measure(Transformer t, List<Benchmarks.Throughput> r) {
            r.add(Benchmarks.train(t, batch, seq, iters));
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Time greedy generation with the KV cache: exactly --new-tokens per row after random prompts.",
                    "tokens/s counts generated tokens; the time includes the prompt's prefill."})
    public static final class Generate extends Workload {
        @Option(names = "--batch", split = ",", defaultValue = "1,32", paramLabel = "B",
                description = "Batch sizes to measure, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Integer> batches;

        @Option(names = "--prompt-len", defaultValue = "32", paramLabel = "T", description = "Prompt tokens per row (default: ${DEFAULT-VALUE}).")
        int promptLen;

        @Option(names = "--new-tokens", defaultValue = "64", paramLabel = "N", description = "Generated tokens per row (default: ${DEFAULT-VALUE}).")
        int newTokens;

        @Option(names = "--iters", defaultValue = "3", paramLabel = "N", description = "Timed runs per batch size after one warm-up (default: ${DEFAULT-VALUE}).")
        int iters;

        @Override
        void measure(Transformer t, List<Benchmarks.Throughput> r) {
            for (int b : batches) r.add(Benchmarks.generate(t, b, promptLen, newTokens, iters));
        }
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
            description = {"Time completion-training steps on a random (base, aligned) pair of the model's shape (aligned = base + noise):",
                    "teacher-cache is the one-off cache build over the batch; completion-cached steps against the cache; "
                    + "completion-no-cache recomputes the base and aligned forwards every step (as train completion --no-teacher-cache)."})
    public static final class Completion extends Workload {
        @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq", defaultValue = "128", paramLabel = "T",
                description = "Tokens per sequence, a quarter prompt and the rest response (default: ${DEFAULT-VALUE}).")
        int seq;

        @Option(names = "--iters", defaultValue = "3", paramLabel = "N", description = "Timed steps after one warm-up (default: ${DEFAULT-VALUE}).")
        int iters;

        @Override
        void measure(Transformer t, List<Benchmarks.Throughput> r) {
            r.addAll(CompletionBench.run(t, batch, seq, iters));
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true,
            description = "Forward, train, generate (batch 1 and 32) and completion (with and without the teacher cache) in one run and one JSON.")
    public static final class All extends Workload {
        @Option(names = "--batch", defaultValue = "4", paramLabel = "B",
                description = "Forward, train and completion: sequences per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq", defaultValue = "512", paramLabel = "T",
                description = "Forward, train and completion: tokens per sequence (default: ${DEFAULT-VALUE}).")
        int seq;

        @Option(names = "--prompt-len", defaultValue = "32", paramLabel = "T", description = "Generate: prompt tokens per row (default: ${DEFAULT-VALUE}).")
        int promptLen;

        @Option(names = "--new-tokens", defaultValue = "64", paramLabel = "N", description = "Generate: tokens per row (default: ${DEFAULT-VALUE}).")
        int newTokens;

        @Option(names = "--iters", defaultValue = "3", paramLabel = "N", description = "Timed iterations of each workload after one warm-up (default: ${DEFAULT-VALUE}).")
        int iters;

        @Override
        void measure(Transformer t, List<Benchmarks.Throughput> r) {
            r.add(Benchmarks.forward(t, batch, seq, iters));
            r.add(Benchmarks.train(t, batch, seq, iters));
            for (int b : List.of(1, 32)) r.add(Benchmarks.generate(t, b, promptLen, newTokens, iters));
            r.addAll(CompletionBench.run(t, batch, seq, iters));
        }
    }
}
