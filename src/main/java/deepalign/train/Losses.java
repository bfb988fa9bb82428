package deepalign.train;

import ai.djl.ndarray.NDArray;

/** Losses over logits [B, L, V]; every one is checked against a hand computation in the tests. */
public final class Losses {
    private Losses() {}

    /** log softmax(logits)[target] at every slot: [B, L, V] x [B, L] -> [B, L]. */
    public static NDArray targetLogProbs(NDArray logits, NDArray targets) {
        return logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
    }

    /** Weighted mean negative log-likelihood: sum(w * -log p(target)) / sum(w). */
    public static NDArray crossEntropy(NDArray logits, NDArray targets, NDArray weights) {
        NDArray nll = targetLogProbs(logits, targets).neg();
        return nll.mul(weights).sum().div(weights.sum().maximum(1e-9f));
    }

    /**
     * Distillation loss tau^2 * KL(softmax(teacher/tau) || softmax(student/tau)) per slot, summed over
     * the vocabulary, averaged with the weights (METHOD.md section 3).
     */
    public static NDArray distillKl(NDArray studentLogits, NDArray teacherLogits, NDArray weights, double tau) {
        NDArray logQ = studentLogits.div((float) tau).logSoftmax(-1);
        NDArray logP = teacherLogits.div((float) tau).logSoftmax(-1);
        NDArray kl = logP.exp().mul(logP.sub(logQ)).sum(new int[] {-1});
        return kl.mul(weights).sum().div(weights.sum().maximum(1e-9f)).mul((float) (tau * tau));
    }
}
