package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import deepalign.Progress;
import deepalign.model.Transformer;
import deepalign.model.Workers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * Everything completion training needs from the frozen base and aligned models, computed in ONE pass
 * before the first epoch and reused every epoch (METHOD.md section 3, "teacher cache"). Per response
 * position t of every training sequence it keeps:
 *
 * <ul>
 *   <li>the top-M entries of the hybrid teacher z^H = lambda z^A + (1 - lambda) z^B at temperature tau:
 *       ids and log-probabilities (from the full softmax, not renormalised). <b>Approximation:</b> with M
 *       below the vocabulary size the distillation KL sees the teacher's M most likely tokens only. How
 *       the rest is treated is {@link Tail}: BUCKET (default) keeps the teacher's remaining mass as one
 *       "other tokens" outcome matched against the student's mass outside the kept ids (the exact KL of
 *       the coarsened distributions, a lower bound of the full KL that is 0 when the student equals the
 *       teacher); RENORMALISE rescales the kept entries to sum to 1, which at tau = 2 on a flat tail asks
 *       the student to move all its mass onto the kept ids. M = vocab is exact either way.
 *   <li>the base-favored set B_t = { v in TopK_k(d_t) : d_t(v) > 0 and pi^B_t(v) >= p_min },
 *       d_t = log pi^B_t - log pi^A_t (exact);
 *   <li>risk_t = m^A_t = sum over B_t of pi^A_t(v), and log pi^A_t at B_t (for the logit-l2 penalty);
 *   <li>KL_t(pi^A || pi^B), m^B_t and the teacher mass the kept entries held before renormalising,
 *       for the positional diagnostics of a run.
 * </ul>
 *
 * Without a base model (recovery stage 1: lambda = 1, no completion loss) the teacher is the aligned
 * model alone and every B_t is empty.
 */
public final class TeacherCache {
    /**
     * @param lambda    hybrid weight (1.2: extrapolate past the aligned model, away from the base)
     * @param tau       distillation temperature
     * @param topM      kept teacher entries per position (vocab or more = exact)
     * @param k         candidates for B_t
     * @param pMin      minimum base probability of a member of B_t
     * @param batchSize sequences per forward pass while building
     * @param lambdaUtility hybrid weight on the utility (benign) examples; null = {@code lambda} on every example, as
     *                  METHOD.md has it. Not the paper's: a knob for the measured case where extrapolating the aligned
     *                  model away from the base on benign answers costs utility (docs/experiments.md, "teacher dose")
     */
    public record Config(double lambda, double tau, int topM, Tail tail, int k, double pMin, int batchSize, Double lambdaUtility) {
        public Config(double lambda, double tau, int topM, Tail tail, int k, double pMin, int batchSize) {
            this(lambda, tau, topM, tail, k, pMin, batchSize, null);
        }

        public static Config defaults() {
            return new Config(1.2, 2.0, 64, Tail.BUCKET, 100, 1e-4, 16);
        }

        /** One hybrid weight for every example. */
        public Config withLambda(double lambda) {
            return new Config(lambda, tau, topM, tail, k, pMin, batchSize, null);
        }

        /** A separate hybrid weight on the utility examples (null: the same as on the harmful ones). */
        public Config withLambdaUtility(Double lambdaUtility) {
            return new Config(lambda, tau, topM, tail, k, pMin, batchSize, lambdaUtility);
        }

        /** The hybrid weight of a harmful or a utility example. */
        public double lambdaFor(boolean harmful) {
            return harmful || lambdaUtility == null ? lambda : lambdaUtility;
        }

        public String truncationNote(int vocab) {
            if (topM >= vocab) return "exact: every teacher entry is kept (M = " + vocab + " = vocab)";
            return "truncated: L_KL uses the hybrid teacher's top-" + topM + " of " + vocab + " tokens per position at tau; "
                    + (tail == Tail.BUCKET
                            ? "the teacher's remaining mass is one 'other tokens' outcome matched against the student's mass outside them"
                            : "the kept entries are renormalised to sum to 1")
                    + "; student log-probs from the full softmax";
        }
    }

    /** What the distillation KL does with the teacher mass outside the kept top-M entries. */
    public enum Tail {
        BUCKET,
        RENORMALISE;

        public static Tail parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "bucket" -> BUCKET;
                case "renormalise", "renormalize" -> RENORMALISE;
                default -> throw new deepalign.DeepalignException("unknown --teacher-tail " + s + "; use bucket or renormalise");
            };
        }
    }

    /**
     * The cached teacher of one sequence: arrays indexed by response position (t - 1), top entries flattened
     * [T * m] with their log-probabilities at tau; {@code keptMass} is the teacher mass they hold.
     */
    public record Entry(int positions, int m, int[] topIdx, float[] topLogp, int[][] favored, float[][] alignedFavored,
                        float[] risk, float[] baseMass, float[] klAlignedBase, float[] keptMass) {}

    private final Config config;
    private final List<Entry> entries;
    private final double seconds;
    private final long tokens;

    private TeacherCache(Config config, List<Entry> entries, double seconds, long tokens) {
        this.config = config;
        this.entries = entries;
        this.seconds = seconds;
        this.tokens = tokens;
    }

    public Config config() {
        return config;
    }

    public Entry get(int i) {
        return entries.get(i);
    }

    public int size() {
        return entries.size();
    }

    /** Wall time of the build. */
    public double seconds() {
        return seconds;
    }

    /** Real (unpadded) input tokens run through each teacher model. */
    public long tokens() {
        return tokens;
    }

    /**
     * Runs base (may be null) and aligned over every sequence once. Sequences are grouped by length so
     * that batches carry little padding; entries come back in the order of {@code seqs}.
     */
    public static TeacherCache build(Transformer base, Transformer aligned, List<Sequence> seqs, int padId, Config cfg) {
        return build(base, aligned, seqs, padId, cfg, true, seqs.size());
    }

    /**
     * As above, the first {@code harmful} sequences being harmful examples (they get {@code cfg.lambda()}, the rest
     * {@link Config#lambdaFor}(false)); {@code progress} false for the per-batch teacher of a run without the cache.
     */
    public static TeacherCache build(Transformer base, Transformer aligned, List<Sequence> seqs, int padId, Config cfg, boolean progress,
                                     int harmful) {
        long t0 = System.nanoTime();
        Entry[] out = new Entry[seqs.size()];
        List<Integer> order = IntStream.range(0, seqs.size()).boxed()
                .sorted(Comparator.comparingInt(i -> seqs.get(i).ids().length)).toList();
        long[] tokens = new long[1];
        try (Progress bar = progress ? Progress.start("teacher cache", seqs.size()) : null) {
            List<Callable<Void>> batches = new ArrayList<>();
            for (int s = 0; s < order.size(); s += cfg.batchSize()) {
                List<Integer> idx = order.subList(s, Math.min(order.size(), s + cfg.batchSize()));
                batches.add(() -> {
                    List<Sequence> chunk = new ArrayList<>();
                    for (int i : idx) chunk.add(seqs.get(i));
                    try (NDManager m = NDManager.newBaseManager(aligned.manager().getDevice());
                            Batch batch = Batch.of(m, chunk, padId);
                            NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        long real = (long) batch.mask().sum().getFloat();
                        NDArray rows = responseRows(batch);
                        NDArray logA = rowsOf(aligned.forward(batch.inputs(), batch.mask(), null), rows).logSoftmax(-1);
                        NDArray logB = base == null ? null : rowsOf(base.forward(batch.inputs(), batch.mask(), null), rows).logSoftmax(-1);
                        List<Entry> made = entries(logA, logB, chunk, cfg, rowLambdas(idx, chunk, harmful, cfg));
                        // each batch fills its own slots of out; the counter and the bar are shared
                        synchronized (out) {
                            for (int j = 0; j < idx.size(); j++) out[idx.get(j)] = made.get(j);
                            tokens[0] += real;
                            if (bar != null) bar.stepBy(idx.size());
                        }
                    }
                    return null;
                });
            }
            Workers.map(batches);
        }
        return new TeacherCache(cfg, List.of(out), (System.nanoTime() - t0) / 1e9, tokens[0]);
    }

    /** Flat indices (row * length + slot) of every response target slot, row by row, slots ascending. */
    static NDArray responseRows(Batch batch) {
        float[] w = batch.weights().toFloatArray();
        long[] idx = IntStream.range(0, w.length).filter(i -> w[i] > 0).asLongStream().toArray();
        return batch.weights().getManager().create(idx);
    }

    /** logits [B, L, V] -> [N, V] at the given flat slots. */
    static NDArray rowsOf(NDArray logits, NDArray rows) {
        long v = logits.getShape().get(2);
        return logits.reshape(-1, v).get(rows);
    }

    /** Per response row, the hybrid weight of its example ([N, 1]), or null when every example has cfg.lambda(). */
    private static float[] rowLambdas(List<Integer> idx, List<Sequence> chunk, int harmful, Config cfg) {
        if (cfg.lambdaFor(false) == cfg.lambda()) return null;
        int n = chunk.stream().mapToInt(Sequence::responseTokens).sum();
        float[] out = new float[n];
        int row = 0;
        for (int j = 0; j < chunk.size(); j++) {
            float l = (float) cfg.lambdaFor(idx.get(j) < harmful);
            for (int t = 0; t < chunk.get(j).responseTokens(); t++) out[row++] = l;
        }
        return out;
    }

    private static List<Entry> entries(NDArray logA, NDArray logB, List<Sequence> chunk, Config cfg, float[] rowLambda) {
        int vocab = (int) logA.getShape().get(1);
        int m = Math.min(cfg.topM(), vocab);
        int k = Math.min(cfg.k(), vocab);
        NDArray hybrid;
        if (logB == null) {
            hybrid = logA;
        } else if (rowLambda == null) {
            hybrid = logA.mul((float) cfg.lambda()).add(logB.mul((float) (1 - cfg.lambda())));
        } else {
            NDArray l = logA.getManager().create(rowLambda, new ai.djl.ndarray.types.Shape(rowLambda.length, 1));
            hybrid = logA.mul(l).add(logB.mul(l.neg().add(1f)));
        }
        NDArray logH = hybrid.div((float) cfg.tau()).logSoftmax(-1);
        NDList top = logH.topK(m, -1, true, true);
        float[] kept = top.get(0).exp().sum(new int[] {-1}).toFloatArray();
        int[] topIdx = top.get(1).toType(DataType.INT32, false).toIntArray();
        float[] topLp = top.get(0).toFloatArray();

        int n = (int) logA.getShape().get(0);
        int[][] favored = new int[n][];
        float[][] alignedFav = new float[n][];
        float[] risk = new float[n];
        float[] baseMass = new float[n];
        float[] kl = new float[n];
        if (logB != null) {
            NDList cand = logB.sub(logA).topK(k, -1, true, true);
            float[] d = cand.get(0).toFloatArray();
            NDArray candIdx = cand.get(1);
            float[] pB = logB.gather(candIdx, -1).exp().toFloatArray();
            float[] lA = logA.gather(candIdx, -1).toFloatArray();
            int[] ids = candIdx.toType(DataType.INT32, false).toIntArray();
            kl = logA.exp().mul(logA.sub(logB)).sum(new int[] {-1}).toFloatArray();
            for (int r = 0; r < n; r++) {
                List<Integer> keep = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    int q = r * k + j;
                    if (d[q] > 0 && pB[q] >= cfg.pMin()) keep.add(q);
                }
                favored[r] = new int[keep.size()];
                alignedFav[r] = new float[keep.size()];
                for (int j = 0; j < keep.size(); j++) {
                    int q = keep.get(j);
                    favored[r][j] = ids[q];
                    alignedFav[r][j] = lA[q];
                    risk[r] += (float) Math.exp(lA[q]);
                    baseMass[r] += pB[q];
                }
            }
        } else {
            for (int r = 0; r < n; r++) {
                favored[r] = new int[0];
                alignedFav[r] = new float[0];
            }
        }
        List<Entry> out = new ArrayList<>();
        int row = 0;
        for (Sequence s : chunk) {
            int t = s.responseTokens();
            out.add(new Entry(t, m,
                    java.util.Arrays.copyOfRange(topIdx, row * m, (row + t) * m),
                    java.util.Arrays.copyOfRange(topLp, row * m, (row + t) * m),
                    java.util.Arrays.copyOfRange(favored, row, row + t),
                    java.util.Arrays.copyOfRange(alignedFav, row, row + t),
                    java.util.Arrays.copyOfRange(risk, row, row + t),
                    java.util.Arrays.copyOfRange(baseMass, row, row + t),
                    java.util.Arrays.copyOfRange(kl, row, row + t),
                    java.util.Arrays.copyOfRange(kept, row, row + t)));
            row += t;
        }
        return out;
    }

    /**
     * Mean of a per-position quantity over the entries {@code which}, for t = 1..tMax (NaN where no
     * entry reaches t): the run's positional profile of risk, |B_t|, m^B_t or KL(A||B).
     */
    public double[] profile(List<Integer> which, int tMax, java.util.function.BiFunction<Entry, Integer, Double> value) {
        double[] sum = new double[tMax];
        int[] count = new int[tMax];
        for (int i : which) {
            Entry e = entries.get(i);
            for (int t = 0; t < Math.min(tMax, e.positions()); t++) {
                sum[t] += value.apply(e, t);
                count[t]++;
            }
        }
        double[] out = new double[tMax];
        for (int t = 0; t < tMax; t++) out[t] = count[t] == 0 ? Double.NaN : sum[t] / count[t];
        return out;
    }
}
