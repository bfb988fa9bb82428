package deepalign.analysis;

import ai.djl.ndarray.NDArray;
import deepalign.DeepalignException;
import java.util.ArrayList;
import java.util.List;

/**
 * Positional KL (METHOD.md section 1): KL_t = sum_v pi^A_t(v) (log pi^A_t(v) - log pi^B_t(v)) at
 * each response position t, averaged over examples, for harmful and benign prompts separately. On a
 * shallowly aligned pair it is high over the first few tokens and decays afterwards.
 */
public final class PositionalKl {
    /** @param batchSize sequences per forward; 0 picks it from the vocabulary and length (see PairLogits) */
    public record Config(int maxPositions, int batchSize) {
        public Config {
            if (maxPositions < 1) throw new DeepalignException("--max-positions must be at least 1, not " + maxPositions + ".");
            if (batchSize < 0) throw new DeepalignException("--batch-size must be 0 (automatic) or more, not " + batchSize + ".");
        }

        public static Config defaults() {
            return new Config(64, 0);
        }
    }

    /**
     * @param harmful      per-position KL over harmful examples
     * @param benign       per-position KL over benign examples
     * @param harmfulPerExample KL_t of each harmful example (index t - 1), for callers that want raw values
     * @param benignPerExample  same for benign examples
     */
    public record Result(Config config, PositionStats harmful, PositionStats benign,
                         List<double[]> harmfulPerExample, List<double[]> benignPerExample, double seconds) {
        /** Mean KL over positions 1-3 divided by mean KL over 21-40 (the headline "shallowness" ratio). */
        public double ratio(PositionStats s) {
            return s.meanOver(1, 3) / s.meanOver(21, 40);
        }
    }

    private PositionalKl() {}

    public static Result run(ModelPair pair, List<Responses.Scored> harmful, List<Responses.Scored> benign, Config cfg) {
        long t0 = System.nanoTime();
        List<double[]> h = perExample(pair, harmful, cfg, "KL (harmful)");
        List<double[]> b = perExample(pair, benign, cfg, "KL (benign)");
        return new Result(cfg, stats(h, cfg.maxPositions()), stats(b, cfg.maxPositions()), h, b, (System.nanoTime() - t0) / 1e9);
    }

    /** KL_t of every sequence at positions 1..min(T, maxPositions). */
    public static List<double[]> perExample(ModelPair pair, List<Responses.Scored> seqs, Config cfg, String label) {
        List<double[]> out = new ArrayList<>(seqs.size());
        for (Responses.Scored s : seqs) out.add(new double[Math.min(s.response().length, cfg.maxPositions())]);
        PairLogits.forEachBatch(pair, seqs, cfg.batchSize(), label, rows -> {
            float[] kl = klRows(rows.base(), rows.aligned()).toFloatArray();
            for (int i = 0; i < kl.length; i++) {
                double[] dst = out.get(rows.sequence()[i]);
                int t = rows.position()[i];
                if (t <= dst.length) dst[t - 1] = kl[i];
            }
        });
        return out;
    }

    /** KL(pi^A || pi^B) per row: [N, V] base and aligned logits -> [N]. */
    public static NDArray klRows(NDArray baseLogits, NDArray alignedLogits) {
        NDArray logB = baseLogits.logSoftmax(-1);
        NDArray logA = alignedLogits.logSoftmax(-1);
        return logA.exp().mul(logA.sub(logB)).sum(new int[] {-1});
    }

    /** KL per position of one sequence: [L, V] logits of each model -> L values in plain Java. */
    public static double[] kl(NDArray baseLogits, NDArray alignedLogits) {
        float[] f;
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            f = klRows(baseLogits, alignedLogits).toFloatArray();
        }
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** Mean and standard error per position of per-example KL arrays (position t at index t - 1). */
    public static PositionStats stats(List<double[]> perExample, int maxPositions) {
        PositionStats.Accumulator acc = PositionStats.Accumulator.upTo(maxPositions);
        for (double[] v : perExample) for (int t = 1; t <= v.length; t++) acc.add(t, v[t - 1]);
        return acc.stats();
    }
}
