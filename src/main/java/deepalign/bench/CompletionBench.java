package deepalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import deepalign.model.Transformer;
import deepalign.train.AdamW;
import deepalign.train.CompletionConfig;
import deepalign.train.CompletionStep;
import deepalign.train.CompletionTrainer;
import deepalign.train.Sequence;
import deepalign.train.TeacherCache;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Completion-training throughput with and without the teacher cache. The pair is random: the benchmark model
 * is the base, a perturbed copy the aligned model, and the student starts as a copy of that. Every step runs
 * {@link CompletionStep}, the code of {@link CompletionTrainer}'s steps (default paper loss: lambda 1.2, tau 2,
 * top-64 teacher, prob-l2 penalty), then an AdamW update. Three rows:
 *
 * <ul>
 *   <li>{@code teacher-cache}: building the cache (base and aligned forwards) over the batch's sequences, the
 *       one-off cost a run pays per training set before its first step;
 *   <li>{@code completion-cached}: steps against that cache (student forward, loss, backward, AdamW);
 *   <li>{@code completion-no-cache}: the same steps with both teachers recomputed on every batch.
 * </ul>
 *
 * Sequences are {@code seq + 1} random ids, the first quarter prompt (no loss) and the rest response; 40% of
 * the batch is harmful (gets the completion penalty), as in training.
 */
public final class CompletionBench {
    /** Std of the noise that turns the aligned copy away from the base (weights are initialised at std 0.02). */
    static final float PERTURBATION = 0.01f;
    static final double LR = 1e-4;

    private CompletionBench() {}

    public static List<Benchmarks.Throughput> run(Transformer model, int batch, int seq, int iters) {
        Benchmarks.checkSizes(batch, seq, iters);
        try (NDManager m = model.manager().newSubManager()) {
            Transformer base = model;
            Transformer aligned = copy(model, m, PERTURBATION);
            List<Sequence> seqs = sequences(model.config().vocabSize(), batch, seq);
            List<Integer> ids = IntStream.range(0, batch).boxed().toList();
            int harmful = (int) Math.round(0.4 * batch);
            CompletionConfig cfg = CompletionConfig.defaults(null, null, null, null, null);
            long tokens = (long) batch * seq;
            var c = model.config();
            List<Benchmarks.Throughput> out = new ArrayList<>();

            TeacherCache[] cache = new TeacherCache[1];
            double[] s = Benchmarks.timed(iters, () -> cache[0] = TeacherCache.build(base, aligned, seqs, 0, cfg.teacher(), false, seqs.size()));
            out.add(Benchmarks.Throughput.of("teacher-cache", batch, seq, 0, s, tokens, 2 * Flops.forward(c, batch, seq)));

            Transformer a = student(aligned, m);
            CompletionStep cached = CompletionStep.cached(a, null, seqs, 0, cfg, cache[0]);
            out.add(Benchmarks.Throughput.of("completion-cached", batch, seq, 0, steps(cached, a, ids, harmful, iters), tokens,
                    Flops.completion(c, batch, seq, 0)));

            Transformer b = student(aligned, m);
            CompletionStep live = CompletionStep.recomputing(b, null, seqs, 0, cfg, base, aligned);
            out.add(Benchmarks.Throughput.of("completion-no-cache", batch, seq, 0, steps(live, b, ids, harmful, iters), tokens,
                    Flops.completion(c, batch, seq, 2)));
            return out;
        }
    }

    /** Timed steps: forward, loss and backward ({@code step}), then the AdamW update of {@code student}. */
    private static double[] steps(CompletionStep step, Transformer student, List<Integer> ids, int harmful, int iters) {
        AdamW opt = new AdamW(student.parameters(), CompletionTrainer.ADAM);
        return Benchmarks.timed(iters, () -> {
            step.run(ids, harmful);
            opt.step(LR);
        });
    }

    /** A fresh trainable copy of {@code aligned}, so both modes start from the same weights. */
    private static Transformer student(Transformer aligned, NDManager m) {
        Transformer t = copy(aligned, m, 0f);
        t.setRequiresGradient(true);
        return t;
    }

    /** The weights of {@code t} in {@code m}, plus N(0, noise^2) per element when noise is positive. */
    private static Transformer copy(Transformer t, NDManager m, float noise) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) {
            NDArray w = e.getValue();
            NDArray c = w.duplicate();
            c.attach(m);
            if (noise > 0) {
                try (NDArray n = m.randomNormal(0f, noise, w.getShape(), w.getDataType())) {
                    c.addi(n);
                }
            }
            p.put(e.getKey(), c);
        }
        return new Transformer(t.config(), m, p);
    }

    /** {@code batch} random sequences of seq + 1 ids: a quarter prompt, the rest response. */
    static List<Sequence> sequences(int vocab, int batch, int seq) {
        SplittableRandom rng = new SplittableRandom(5);
        int prompt = Math.max(1, (seq + 1) / 4);
        List<Sequence> out = new ArrayList<>();
        for (int r = 0; r < batch; r++) {
            int[] ids = rng.ints(seq + 1, 0, vocab).toArray();
            out.add(Sequence.promptResponse(java.util.Arrays.copyOf(ids, prompt), java.util.Arrays.copyOfRange(ids, prompt, ids.length)));
        }
        return out;
    }
}
