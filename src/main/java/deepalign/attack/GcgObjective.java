package deepalign.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import deepalign.model.Transformer;
import deepalign.train.Losses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GCG's objective for one prompt: the mean cross-entropy of the target tokens given prompt + suffix, its
 * gradient with respect to the suffix's one-hot token indicators, and batched scoring of candidate suffixes.
 */
final class GcgObjective {
    /** Loss of the suffix and d loss / d one_hot, row-major [suffixLength, vocab]. */
    record Gradient(double loss, double[] grad) {}

    /** Per candidate: target loss, and whether every target token is the argmax (the greedy continuation). */
    record Scores(double[] loss, boolean[] exact) {}

    private final Transformer model;
    private final GcgLayout layout;
    private final int m;
    private final int vocab;

    GcgObjective(Transformer model, GcgLayout layout, int suffixLength) {
        this.model = model;
        this.layout = layout;
        this.m = suffixLength;
        this.vocab = model.config().vocabSize();
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
        return Losses.targetLogProbs(slots, row(mgr, target)).mean().neg();
    }

    /** Loss of {@code suffix} and its gradient with respect to the one-hot indicators. */
    Gradient gradient(int[] suffix) {
        try (NDManager mgr = model.manager().newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray oneHot = oneHot(mgr, suffix);
            oneHot.setRequiresGradient(true);
            double loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss(oneHot);
                gc.backward(l);
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
        int first = layout.targetStart(m) - 1;
        for (int start = 0; start < suffixes.size(); start += batch) {
            List<int[]> chunk = suffixes.subList(start, Math.min(suffixes.size(), start + batch));
            int b = chunk.size();
            try (NDManager mgr = model.manager().newSubManager();
                    NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                List<long[]> rows = new ArrayList<>(b);
                for (int[] s : chunk) rows.add(inputs(layout.fullIds(s)));
                int len = rows.get(0).length;
                long[] flat = new long[b * len];
                for (int r = 0; r < b; r++) System.arraycopy(rows.get(r), 0, flat, r * len, len);
                NDArray logits = model.forward(mgr.create(flat, new Shape(b, len)), mgr.ones(new Shape(b, len)), null);
                NDArray slots = logits.get(":, " + first + ":" + (first + target.length) + ", :");
                long[] tg = new long[b * target.length];
                for (int r = 0; r < b; r++) for (int j = 0; j < target.length; j++) tg[r * target.length + j] = target[j];
                NDArray targets = mgr.create(tg, new Shape(b, target.length));
                double[] l = Losses.targetLogProbs(slots, targets).mean(new int[] {1}).neg().toType(DataType.FLOAT64, false).toDoubleArray();
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

    /** The model reads every token but the last. */
    private static long[] inputs(int[] full) {
        long[] out = new long[full.length - 1];
        for (int i = 0; i < out.length; i++) out[i] = full[i];
        return out;
    }

    private static NDArray row(NDManager mgr, int[] ids) {
        long[] v = new long[ids.length];
        for (int i = 0; i < ids.length; i++) v[i] = ids[i];
        return mgr.create(v, new Shape(1, ids.length));
    }
}
