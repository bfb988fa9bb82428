package deepalign.decode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;
import deepalign.DeepalignException;
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
 */
public final class ContrastiveStepModel implements StepModel {
    public static final float MASKED = -1e9f;

    private final CachedStepModel aligned;
    private final CachedStepModel base;
    private final double alpha;
    private final Double beta;

    /**
     * @param alpha contrast strength, at least 0 (1.0 is the paper's default)
     * @param beta  plausibility threshold in [0, 1], or null for no mask
     */
    public ContrastiveStepModel(Transformer aligned, Transformer base, double alpha, Double beta) {
        checkArgs(alpha, beta);
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
    }

    static void checkArgs(double alpha, Double beta) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) throw new DeepalignException("--alpha must be a finite number >= 0, got " + alpha + ".");
        if (beta != null && !(beta >= 0 && beta <= 1)) throw new DeepalignException("--beta must be in [0, 1], got " + beta + ".");
    }

    @Override
    public int vocabSize() {
        return aligned.vocabSize();
    }

    @Override
    public NDArray prefill(NDArray ids, NDArray mask) {
        return combine(aligned.prefill(ids, mask), base.prefill(ids, mask), alpha, beta);
    }

    @Override
    public NDArray step(NDArray tokens, NDArray mask) {
        return combine(aligned.step(tokens, mask), base.step(tokens, mask), alpha, beta);
    }

    /**
     * {@code (1 + alpha) log_softmax(zA) - alpha log_softmax(zB)} over the last axis, with the plausibility
     * mask when beta is given. Any shape [..., V]; closes {@code zA} and {@code zB}.
     */
    public static NDArray combine(NDArray zA, NDArray zB, double alpha, Double beta) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray la = zA.logSoftmax(-1);
            NDArray lb = zB.logSoftmax(-1);
            NDArray z = la.mul((float) (1 + alpha)).sub(lb.mul((float) alpha));
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

    @Override
    public void close() {
        try {
            aligned.close();
        } finally {
            base.close();
        }
    }
}
