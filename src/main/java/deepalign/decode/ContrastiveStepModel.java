package deepalign.decode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;
import deepalign.DeepalignException;
import deepalign.analysis.BaseFavored;
import deepalign.model.CachedStepModel;
import deepalign.model.StepModel;
import deepalign.model.Transformer;

/**
 * Contrastive decoding (METHOD.md section 2, the paper's Eq. 7): the aligned and the base model run in
 * lock-step over the same batch, each with its own KV cache, and every step returns
 * <pre>  z = z_A + alpha (z_A - z_B)  </pre>
 * computed on the log-softmax of each model's logits rather than on the raw logits. Softmax is
 * shift-invariant per model, so {@code log_softmax(z)} is the same distribution either way; log-probs only
 * make the returned numbers comparable across steps and free of each model's arbitrary logit offset.
 * alpha 0 is the aligned model alone; larger alpha pushes further away from what the base model prefers.
 *
 * <p>Optional plausibility mask (off when beta is null): tokens with {@code pi_A(v) < beta * max pi_A}
 * get a large negative finite logit ({@value #MASKED}), so contrast can only re-rank tokens the aligned
 * model itself finds plausible. Finite, so sums of log-probs over masked tokens stay finite in reports.
 *
 * <p>Optional gate (ours, off when null; not in the paper): the contrast is applied only at positions whose
 * base-favored mass m^B_t (METHOD.md section 1, with k {@value BaseFavored#DEFAULT_K} and p_min
 * 1e-4) is at least {@code gate}; elsewhere the aligned model's distribution is returned unchanged. The idea: the
 * organism's mean mass is 0.2-1.0 along harmful answers and 0-0.25 along benign ones, so a gate might spend a strong
 * alpha where the base would continue harm and spare benign text. Measured, it does not: past the first tokens of a
 * harmful answer the gate opens at under a third of positions, against a sixth of benign ones (docs/experiments.md, "A gated contrast").
 */
public final class ContrastiveStepModel implements StepModel {
    public static final float MASKED = -1e9f;

    private final CachedStepModel aligned;
    private final CachedStepModel base;
    private final double alpha;
    private final Double beta;
    private final Double gate;

    /**
     * @param alpha contrast strength, at least 0 (1.0 is the paper's default)
     * @param beta  plausibility threshold in [0, 1], or null for no mask
     */
    public ContrastiveStepModel(Transformer aligned, Transformer base, double alpha, Double beta) {
        this(aligned, base, alpha, beta, null);
    }

    /** As above, contrasting only where the base-favored mass is at least {@code gate} (null: everywhere). */
    public ContrastiveStepModel(Transformer aligned, Transformer base, double alpha, Double beta, Double gate) {
        checkArgs(alpha, beta, gate);
        int va = aligned.config().vocabSize();
        int vb = base.config().vocabSize();
        if (va != vb) {
            throw new DeepalignException("contrastive decoding needs one vocabulary, but the aligned model has " + va
                    + " logits and the base model " + vb + ".");
        }
        this.aligned = new CachedStepModel(aligned);
        this.base = new CachedStepModel(base);
        this.alpha = alpha;
        this.beta = beta;
        this.gate = gate;
    }

    static void checkArgs(double alpha, Double beta, Double gate) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) throw new DeepalignException("--alpha must be a finite number >= 0, got " + alpha + ".");
        if (beta != null && !(beta >= 0 && beta <= 1)) throw new DeepalignException("--beta must be in [0, 1], got " + beta + ".");
        if (gate != null && !(gate >= 0 && gate <= 1)) throw new DeepalignException("--gate must be in [0, 1], got " + gate + ".");
    }

    @Override
    public int vocabSize() {
        return aligned.vocabSize();
    }

    @Override
    public NDArray prefill(NDArray ids, NDArray mask) {
        return combine(aligned.prefill(ids, mask), base.prefill(ids, mask), alpha, beta, gate);
    }

    @Override
    public NDArray step(NDArray tokens, NDArray mask) {
        return combine(aligned.step(tokens, mask), base.step(tokens, mask), alpha, beta, gate);
    }

    /**
     * {@code (1 + alpha) log_softmax(zA) - alpha log_softmax(zB)} over the last axis, with the plausibility
     * mask when beta is given. Any shape [..., V]; closes {@code zA} and {@code zB}.
     */
    public static NDArray combine(NDArray zA, NDArray zB, double alpha, Double beta) {
        return combine(zA, zB, alpha, beta, null);
    }

    /** As above; with a gate, rows whose base-favored mass is below it get {@code log_softmax(zA)} (alpha 0). */
    public static NDArray combine(NDArray zA, NDArray zB, double alpha, Double beta, Double gate) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray la = zA.logSoftmax(-1);
            NDArray lb = zB.logSoftmax(-1);
            NDArray z = gate == null
                    ? la.mul((float) (1 + alpha)).sub(lb.mul((float) alpha))
                    : la.add(la.sub(lb).mul(gateOpen(la, lb, gate).mul((float) alpha)));
            if (beta != null && beta > 0) {
                // pi_A(v) < beta * max pi_A  <=>  log pi_A(v) < max log pi_A + log beta
                NDArray cut = la.max(new int[] {-1}, true).add((float) Math.log(beta));
                NDArray implausible = la.lt(cut);
                z = NDArrays.where(implausible, z.zerosLike().add(MASKED), z);
            }
            NDScope.unregister(z);
            return z;
        } finally {
            zA.close();
            zB.close();
        }
    }

    /** 1 where the base-favored mass m^B_t ({@link BaseFavored#baseMass}, default k and p_min) is at least the gate, else 0; [..., 1]. */
    static NDArray gateOpen(NDArray la, NDArray lb, double gate) {
        NDArray mass = BaseFavored.baseMass(lb, la, BaseFavored.DEFAULT_K, BaseFavored.DEFAULT_P_MIN);
        return mass.gte((float) gate).toType(la.getDataType(), false);
    }

    @Override
    public void close() {
        try {
            aligned.close();
        } finally {
            base.close();
        }
    }
}
