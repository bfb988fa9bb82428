package deepalign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import deepalign.DeepalignException;
import deepalign.model.LanguageModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Base-favored tokens (METHOD.md section 1): with d_t(v) = log pi^B_t(v) - log pi^A_t(v),
 * B_t = { v in TopK_k(d_t) : d_t(v) > 0 and pi^B_t(v) >= p_min }. The top k are taken first and then
 * filtered, so |B_t| <= k. Reported per position: |B_t|, the base mass m^B_t and the aligned mass m^A_t
 * of the set; where alignment is incomplete the aligned model still puts mass on tokens the base prefers.
 */
public final class BaseFavored {
    public static final int DEFAULT_K = 100;
    public static final double DEFAULT_P_MIN = 1e-4;

    /**
     * B_t at one position.
     *
     * @param tokens      token ids in B_t, by decreasing d_t
     * @param diff        d_t(v) for each token
     * @param baseMass    m^B_t = sum over B_t of pi^B_t(v)
     * @param alignedMass m^A_t = sum over B_t of pi^A_t(v) (the completion method's risk_t)
     */
    public record PositionSet(int[] tokens, double[] diff, double baseMass, double alignedMass) {
        public int size() {
            return tokens.length;
        }
    }

    /** @param batchSize sequences per forward; 0 picks it from the vocabulary and length */
    public record Config(int maxPositions, int k, double pMin, int batchSize, int topTokens) {
        public Config {
            if (maxPositions < 1) throw new DeepalignException("--max-positions must be at least 1, not " + maxPositions + ".");
            if (k < 1) throw new DeepalignException("--k must be at least 1, not " + k + ".");
            if (!(pMin >= 0 && pMin <= 1)) throw new DeepalignException("--p-min must be between 0 and 1, not " + pMin + ".");
            if (batchSize < 0) throw new DeepalignException("--batch-size must be 0 (automatic) or more, not " + batchSize + ".");
        }

        public static Config defaults() {
            return new Config(64, DEFAULT_K, DEFAULT_P_MIN, 0, 20);
        }
    }

    /** How often a token was base-favored, over all positions and examples of a split. */
    public record TokenCount(int id, String token, String text, int count) {}

    /** Per-position statistics of one split. */
    public record SplitStats(PositionStats size, PositionStats baseMass, PositionStats alignedMass, List<TokenCount> topTokens,
                             int examples) {}

    public record Result(Config config, SplitStats harmful, SplitStats benign, double seconds) {}

    private BaseFavored() {}

    /**
     * B_t for each row: base and aligned logits [L, V] (any leading row count) -> one set per row.
     * The small static API the completion-training teacher cache reuses.
     */
    public static List<PositionSet> sets(NDArray baseLogits, NDArray alignedLogits, int k, double pMin) {
        long v = baseLogits.getShape().getLastDimension();
        if (alignedLogits.getShape().getLastDimension() != v) {
            throw new IllegalArgumentException("base and aligned logits differ in vocabulary size: " + baseLogits.getShape()
                    + " vs " + alignedLogits.getShape());
        }
        int kk = (int) Math.min(k, v);
        try (NDScope scope = new NDScope()) { // plain Java out: free every intermediate here
            scope.suppressNotUsedWarning();
            return sets(baseLogits, alignedLogits, kk, pMin, v);
        }
    }

    /**
     * The base mass m^B_t of B_t for every row, kept on the device (decoding's hot path needs no host copy):
     * log-probabilities [..., V] of the base and the aligned model in, masses [..., 1] out.
     */
    public static NDArray baseMass(NDArray logB, NDArray logA, int k, double pMin) {
        int kk = (int) Math.min(k, logB.getShape().getLastDimension());
        NDList top = logB.sub(logA).topK(kk, -1, true, true);
        NDArray pb = logB.gather(top.get(1), -1).exp();
        NDArray member = top.get(0).gt(0f).logicalAnd(pb.gte((float) pMin));
        return pb.mul(member.toType(pb.getDataType(), false)).sum(new int[] {-1}, true);
    }

    private static List<PositionSet> sets(NDArray baseLogits, NDArray alignedLogits, int kk, double pMin, long v) {
        NDArray logB = baseLogits.reshape(-1, v).logSoftmax(-1);
        NDArray logA = alignedLogits.reshape(-1, v).logSoftmax(-1);
        NDList top = logB.sub(logA).topK(kk, -1, true, true);
        NDArray idx = top.get(1);
        float[] d = top.get(0).toType(DataType.FLOAT32, false).toFloatArray();
        float[] pb = logB.gather(idx, -1).exp().toFloatArray();
        float[] pa = logA.gather(idx, -1).exp().toFloatArray();
        long[] ids = idx.toType(DataType.INT64, false).toLongArray();
        int rows = d.length / kk;
        List<PositionSet> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            List<Integer> keep = new ArrayList<>();
            double mb = 0;
            double ma = 0;
            for (int j = r * kk; j < (r + 1) * kk; j++) {
                if (d[j] > 0 && pb[j] >= pMin) {
                    keep.add(j);
                    mb += pb[j];
                    ma += pa[j];
                }
            }
            int[] tokens = new int[keep.size()];
            double[] diff = new double[keep.size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = Math.toIntExact(ids[keep.get(i)]);
                diff[i] = d[keep.get(i)];
            }
            out.add(new PositionSet(tokens, diff, mb, ma));
        }
        return out;
    }

    public static Result run(ModelPair pair, List<Responses.Scored> harmful, List<Responses.Scored> benign, Config cfg) {
        long t0 = System.nanoTime();
        SplitStats h = split(pair, harmful, cfg, "base-favored (harmful)");
        SplitStats b = split(pair, benign, cfg, "base-favored (benign)");
        return new Result(cfg, h, b, (System.nanoTime() - t0) / 1e9);
    }

    /** B_t of every sequence at positions 1..min(T, maxPositions) (index t - 1). */
    public static List<List<PositionSet>> perExample(ModelPair pair, List<Responses.Scored> seqs, Config cfg, String label) {
        List<List<PositionSet>> out = new ArrayList<>(seqs.size());
        for (Responses.Scored s : seqs) {
            List<PositionSet> empty = new ArrayList<>();
            for (int t = 0; t < Math.min(s.response().length, cfg.maxPositions()); t++) empty.add(null);
            out.add(empty);
        }
        PairLogits.forEachBatch(pair, seqs, cfg.batchSize(), label, rows -> {
            List<PositionSet> sets = sets(rows.base(), rows.aligned(), cfg.k(), cfg.pMin());
            for (int i = 0; i < sets.size(); i++) {
                List<PositionSet> dst = out.get(rows.sequence()[i]);
                int t = rows.position()[i];
                if (t <= dst.size()) dst.set(t - 1, sets.get(i));
            }
        });
        return out;
    }

    static SplitStats split(ModelPair pair, List<Responses.Scored> seqs, Config cfg, String label) {
        List<List<PositionSet>> sets = perExample(pair, seqs, cfg, label);
        PositionStats.Accumulator size = PositionStats.Accumulator.upTo(cfg.maxPositions());
        PositionStats.Accumulator mb = PositionStats.Accumulator.upTo(cfg.maxPositions());
        PositionStats.Accumulator ma = PositionStats.Accumulator.upTo(cfg.maxPositions());
        Map<Integer, Integer> counts = new HashMap<>();
        for (List<PositionSet> example : sets) {
            for (int t = 1; t <= example.size(); t++) {
                PositionSet s = example.get(t - 1);
                size.add(t, s.size());
                mb.add(t, s.baseMass());
                ma.add(t, s.alignedMass());
                for (int v : s.tokens()) counts.merge(v, 1, Integer::sum);
            }
        }
        return new SplitStats(size.stats(), mb.stats(), ma.stats(), topTokens(pair.aligned(), counts, cfg.topTokens()), seqs.size());
    }

    /** The most frequent tokens, ties broken by id so the list is stable. */
    static List<TokenCount> topTokens(LanguageModel model, Map<Integer, Integer> counts, int n) {
        List<Map.Entry<Integer, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Comparator.<Map.Entry<Integer, Integer>>comparingInt(Map.Entry::getValue).reversed()
                .thenComparingInt(Map.Entry::getKey));
        List<TokenCount> out = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : entries.subList(0, Math.min(n, entries.size()))) {
            int id = e.getKey();
            out.add(new TokenCount(id, model.tokenizer().idToToken(id), model.tokenizer().decode(new int[] {id}, false), e.getValue()));
        }
        return out;
    }
}
