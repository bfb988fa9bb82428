package deepalign.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import deepalign.model.KVCache;
import deepalign.model.Transformer;
import deepalign.train.Backprop;
import deepalign.train.Losses;
import java.util.Arrays;
import java.util.List;

/**
 * GCG's objective for one prompt: the (weighted) mean cross-entropy of the target tokens given prompt + suffix, its
 * gradient with respect to the suffix's one-hot token indicators, and batched scoring of candidate suffixes.
 */
final class GcgObjective implements AutoCloseable {
    /** Loss of the suffix and d loss / d one_hot, row-major [suffixLength, vocab]. */
    record Gradient(double loss, double[] grad) {}

    /** Per candidate: target loss, and whether every target token is the argmax (the greedy continuation). */
    record Scores(double[] loss, boolean[] exact) {}

    private final Transformer model;
    private final GcgLayout layout;
    private final int m;
    private final int vocab;
    /** Per target token, its share of the loss (sums to 1): the first weighs {@code firstWeight}, the rest 1. */
    private final double[] weights;
    private KVCache prefix;
    private NDManager prefixManager;

    GcgObjective(Transformer model, GcgLayout layout, int suffixLength) {
        this(model, layout, suffixLength, 1.0);
    }

    GcgObjective(Transformer model, GcgLayout layout, int suffixLength, double firstWeight) {
        this.model = model;
        this.layout = layout;
        this.m = suffixLength;
        this.vocab = model.config().vocabSize();
        int t = layout.target().length;
        this.weights = new double[t];
        double total = firstWeight + (t - 1);
        for (int j = 0; j < t; j++) weights[j] = (j == 0 ? firstWeight : 1.0) / total;
    }

    int vocabSize() {
        return vocab;
    }

    /**
     * Target loss at suffix indicators {@code oneHot} [m, V] (any real values: a relaxed one-hot works too):
     * the suffix embeddings are one_hot @ E, spliced between the embeddings of the fixed tokens.
     */
    NDArray loss(NDArray oneHot) {
        NDManager mgr = oneHot.getManager();
        int[] target = layout.target();
        int[] rest = GcgLayout.concat(layout.after(), Arrays.copyOf(target, target.length - 1));
        NDList parts = new NDList();
        parts.add(model.embed(row(mgr, layout.before())));
        parts.add(oneHot.matMul(model.param("model.embed_tokens.weight")).expandDims(0));
        if (rest.length > 0) parts.add(model.embed(row(mgr, rest)));
        NDArray embeds = NDArrays.concat(parts, 1);
        long t = embeds.getShape().get(1);
        NDArray logits = model.forward(embeds, t, mgr.ones(new Shape(1, t)), null);
        int first = layout.targetStart(m) - 1; // logits at slot j predict token j + 1
        NDArray slots = logits.get(":, " + first + ":" + (first + target.length) + ", :");
        return Losses.targetLogProbs(slots, row(mgr, target)).mul(weightRow(mgr, slots)).sum().neg();
    }

    /** Loss of {@code suffix} and its gradient with respect to the one-hot indicators. */
    Gradient gradient(int[] suffix) {
        try (NDManager mgr = model.manager().newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray oneHot = oneHot(mgr, suffix);
            oneHot.setRequiresGradient(true);
            double loss;
            try (Backprop.Recording rec = Backprop.record()) {
                NDArray l = loss(oneHot);
                Backprop.backward(l);
                loss = l.toType(DataType.FLOAT64, false).getDouble();
            }
            return new Gradient(loss, oneHot.getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
        }
    }

    /** [m, V] indicators of {@code suffix} in the model's dtype. */
    NDArray oneHot(NDManager mgr, int[] suffix) {
        double[] data = new double[suffix.length * vocab];
        for (int i = 0; i < suffix.length; i++) data[i * vocab + suffix[i]] = 1;
        return mgr.create(data, new Shape(suffix.length, vocab)).toType(model.dtype(), false);
    }

    /** Scores candidate suffixes in forward passes of {@code batch} rows; all share one length, so no padding. */
    Scores score(List<int[]> suffixes, int batch) {
        int[] target = layout.target();
        double[] loss = new double[suffixes.size()];
        boolean[] exact = new boolean[suffixes.size()];
        for (int start = 0; start < suffixes.size(); start += batch) {
            List<int[]> chunk = suffixes.subList(start, Math.min(suffixes.size(), start + batch));
            int b = chunk.size();
            try (NDManager mgr = model.manager().newSubManager();
                    NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray slots = targetLogits(mgr, chunk);
                long[] tg = new long[b * target.length];
                for (int r = 0; r < b; r++) for (int j = 0; j < target.length; j++) tg[r * target.length + j] = target[j];
                NDArray targets = mgr.create(tg, new Shape(b, target.length));
                double[] l = Losses.targetLogProbs(slots, targets).mul(weightRow(mgr, slots)).sum(new int[] {1}).neg()
                        .toType(DataType.FLOAT64, false).toDoubleArray();
                long[] argmax = slots.argMax(-1).toType(DataType.INT64, false).toLongArray();
                for (int r = 0; r < b; r++) {
                    loss[start + r] = l[r];
                    boolean all = true;
                    for (int j = 0; j < target.length; j++) all &= argmax[r * target.length + j] == target[j];
                    exact[start + r] = all;
                }
            }
        }
        return new Scores(loss, exact);
    }

    /**
     * p(target_j | prompt, suffix, target_<j) for each target token: where GCG stands token by token. On an
     * aligned model the first one is the refusal decision; the later ones follow the target once it has begun.
     */
    double[] targetProbs(int[] suffix) {
        try (NDManager mgr = model.manager().newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray slots = targetLogits(mgr, List.of(suffix));
            return Losses.targetLogProbs(slots, row(mgr, layout.target())).exp().toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /**
     * Logits at the slots that predict the target tokens, [b, T, V], for suffixes of one length (no padding). Every
     * candidate starts with the same {@code before} tokens, so their keys and values come from {@link #prefix()}
     * and only suffix + after + target run; the LM head runs only at the target slots.
     */
    private NDArray targetLogits(NDManager mgr, List<int[]> suffixes) {
        int b = suffixes.size();
        int[] target = layout.target();
        // the model reads every token but the last target token
        int[] tail = GcgLayout.concat(layout.after(), Arrays.copyOf(target, target.length - 1));
        int len = m + tail.length;
        long[] flat = new long[b * len];
        for (int r = 0; r < b; r++) {
            int[] s = suffixes.get(r);
            for (int i = 0; i < m; i++) flat[r * len + i] = s[i];
            for (int i = 0; i < tail.length; i++) flat[r * len + m + i] = tail[i];
        }
        int from = m + layout.after().length - 1; // logits at slot j predict token j + 1: the first target token
        try (KVCache cache = prefix().repeatRows(b)) {
            return model.forward(mgr.create(flat, new Shape(b, len)), mgr.ones(new Shape(b, cache.length() + len)), cache, from);
        }
    }

    /** Keys and values of the {@code before} tokens (template and prompt), computed on first use and kept until {@link #close}. */
    private KVCache prefix() {
        if (prefix == null) {
            prefixManager = model.manager().newSubManager();
            prefix = new KVCache(model.config().numLayers());
            int p = layout.before().length;
            if (p > 0) model.forward(row(prefixManager, layout.before()), prefixManager.ones(new Shape(1, p)), prefix, p - 1).close();
        }
        return prefix;
    }

    @Override
    public void close() {
        if (prefix != null) prefix.close();
        if (prefixManager != null) prefixManager.close();
        prefix = null;
        prefixManager = null;
    }

    /** The target-token weights as a [1, T] row in the logits' dtype (broadcast over the batch). */
    private NDArray weightRow(NDManager mgr, NDArray like) {
        return mgr.create(weights, new Shape(1, weights.length)).toType(like.getDataType(), false);
    }

    private static NDArray row(NDManager mgr, int[] ids) {
        long[] v = new long[ids.length];
        for (int i = 0; i < ids.length; i++) v[i] = ids[i];
        return mgr.create(v, new Shape(1, ids.length));
    }
}
