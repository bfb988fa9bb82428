package deepalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import deepalign.DeepalignException;
import deepalign.model.CachedStepModel;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.ModelConfig;
import deepalign.model.Scalars;
import deepalign.model.Transformer;
import deepalign.model.Workers;
import deepalign.train.AdamW;
import deepalign.train.Backprop;
import deepalign.train.Losses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Throughput of the model code on this machine, next to the float32 matmul rate measured in the same run: a
 * forward or training step that reaches a large fraction of the matmul rate is spending its time in the
 * matmuls, where it should. Each measurement warms up once, then takes the median of its timed iterations.
 */
public final class Benchmarks {
    /** The reference matmul: [2048, 512] x [512, 1536], the MLP up-projection of h512 at 2048 tokens. */
    public static final int MM_M = 2048, MM_K = 512, MM_N = 1536;

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Matmul(int m, int k, int n, int reps, double medianSeconds, double gflops) {}

    /**
     * One measured workload. Tokens are the tokens processed per iteration: batch * seq for forward and train,
     * batch * new tokens for generate (the prompt is not counted, its prefill time is).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Throughput(String kind, int batch, int seq, int newTokens, int iters, double medianSeconds,
                             double minSeconds, long tokensPerIter, double tokensPerSecond, double gflopPerIter,
                             double gflops) {
        static Throughput of(String kind, int batch, int seq, int newTokens, double[] seconds, long tokens, double flops) {
            double[] s = seconds.clone();
            Arrays.sort(s);
            double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
            return new Throughput(kind, batch, seq, newTokens, s.length, median, s[0], tokens, tokens / median,
                    flops / 1e9, flops / median / 1e9);
        }

        /** Achieved GFLOP/s as a fraction of the matmul's. */
        public double fractionOfMatmul(Matmul mm) {
            return gflops / mm.gflops();
        }
    }

    private Benchmarks() {}

    /** Model shapes for benchmarks without a checkpoint: the organism's, and a wider one where matmuls dominate. */
    public static ModelConfig size(String name) {
        return switch (name) {
            case "organism" -> ModelConfig.builder(ModelConfig.Arch.LLAMA, 1400, 128, 384, 4, 4, 2).tieWordEmbeddings(true).build();
            case "h512" -> ModelConfig.builder(ModelConfig.Arch.LLAMA, 2000, 512, 1536, 8, 8, 8).build();
            default -> throw new DeepalignException("unknown benchmark size '" + name + "'; use organism or h512.");
        };
    }

    /** The float32 reference rate: 3 warm-up products, then the median of {@code reps}. */
    public static Matmul matmul(int reps) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(MM_M, MM_K));
            NDArray b = m.randomNormal(new Shape(MM_K, MM_N));
            double[] s = new double[reps];
            for (int i = -3; i < reps; i++) {
                long t0 = System.nanoTime();
                a.matMul(b).close(); // PyTorch runs CPU ops synchronously, so the product is done here
                if (i >= 0) s[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(s);
            double median = s[reps / 2];
            return new Matmul(MM_M, MM_K, MM_N, reps, median, 2.0 * MM_M * MM_K * MM_N / median / 1e9);
        }
    }

    /** Stateless forward passes over random ids, [batch, seq] with no padding. */
    public static Throughput forward(Transformer model, int batch, int seq, int iters) {
        checkSizes(batch, seq, iters);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray ids = randomIds(m, model.config(), batch, seq, 1);
            NDArray mask = m.ones(new Shape(batch, seq));
            double[] s = timed(iters, () -> model.forward(ids, mask, null).close());
            return Throughput.of("forward", batch, seq, 0, s, (long) batch * seq, Flops.forward(model.config(), batch, seq));
        }
    }

    /**
     * Training steps: forward, cross-entropy on random next tokens, backward and an AdamW update, the work of one
     * Sft step, split like it into one shard of rows per {@link Workers worker} (kind "train" with one worker,
     * "train-Nw" with N). Runs on a copy of the weights, so {@code model} is left as it was.
     */
    public static Throughput train(Transformer model, int batch, int seq, int iters) {
        checkSizes(batch, seq, iters);
        try (NDManager m = model.manager().newSubManager()) {
            Map<String, NDArray> copy = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                NDArray c = e.getValue().duplicate();
                c.attach(m);
                copy.put(e.getKey(), c);
            }
            Transformer student = new Transformer(model.config(), m, copy);
            student.setRequiresGradient(true);
            AdamW opt = new AdamW(student.parameters(), AdamW.Config.defaults());
            NDArray ids = randomIds(m, model.config(), batch, seq, 2);
            NDArray targets = randomIds(m, model.config(), batch, seq, 3);
            NDArray mask = m.ones(new Shape(batch, seq));
            // each shard back-propagates its rows' share of the batch's mean loss, as Sft's shards do
            List<Callable<Void>> shards = new ArrayList<>();
            for (List<Integer> rows : Workers.split(java.util.stream.IntStream.range(0, batch).boxed().toList(), Workers.count())) {
                String slice = rows.get(0) + ":" + (rows.get(rows.size() - 1) + 1);
                NDArray ids1 = ids.get(slice);
                NDArray targets1 = targets.get(slice);
                NDArray mask1 = mask.get(slice);
                double share = rows.size() / (double) batch;
                shards.add(() -> {
                    try (NDScope scope = new NDScope();
                            Backprop.Recording rec = Backprop.record()) {
                        scope.suppressNotUsedWarning();
                        NDArray logits = student.forward(ids1, mask1, null);
                        Backprop.backward(Scalars.mul(Losses.crossEntropy(logits, targets1, mask1), share));
                    }
                    return null;
                });
            }
            double[] s = timed(iters, () -> {
                Workers.map(shards);
                opt.step(1e-4);
            });
            String kind = shards.size() == 1 ? "train" : "train-" + shards.size() + "w";
            return Throughput.of(kind, batch, seq, 0, s, (long) batch * seq, Flops.train(model.config(), batch, seq));
        }
    }

    /**
     * Greedy generation of exactly {@code newTokens} per row (no eos, so no row stops early) after random prompts
     * of {@code prompt} tokens, through the same Generator and KV cache the attacks use.
     */
    public static Throughput generate(Transformer model, int batch, int prompt, int newTokens, int iters) {
        checkSizes(batch, prompt, iters);
        if (newTokens < 1) throw new DeepalignException("generate needs at least one new token, not " + newTokens + ".");
        Generator gen = new Generator(() -> new CachedStepModel(model), Set.of(), 0, null);
        SplittableRandom rng = new SplittableRandom(4);
        List<int[]> prompts = new ArrayList<>();
        for (int r = 0; r < batch; r++) prompts.add(rng.ints(prompt, 0, model.config().vocabSize()).toArray());
        GenerationConfig cfg = GenerationConfig.greedy(newTokens).withBatchSize(batch);
        double[] s = timed(iters, () -> gen.generate(prompts, cfg));
        return Throughput.of("generate", batch, prompt, newTokens, s, (long) batch * newTokens,
                Flops.generate(model.config(), batch, prompt, newTokens));
    }

    /** One untimed warm-up run (allocator pools, lazy kernels), then {@code iters} timed ones. */
    static double[] timed(int iters, Runnable work) {
        work.run();
        double[] s = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            work.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        return s;
    }

    static NDArray randomIds(NDManager m, ModelConfig c, int batch, int seq, long seed) {
        long[] ids = new SplittableRandom(seed).longs((long) batch * seq, 0, c.vocabSize()).toArray();
        return m.create(ids, new Shape(batch, seq));
    }

    static void checkSizes(int batch, int seq, int iters) {
        if (batch < 1 || seq < 1 || iters < 1) {
            throw new DeepalignException("batch, sequence length and iterations must be at least 1, not "
                    + batch + ", " + seq + " and " + iters + ".");
        }
    }
}
