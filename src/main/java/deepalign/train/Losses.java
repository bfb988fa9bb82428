package deepalign.train;

import ai.djl.ndarray.NDArray;
import deepalign.model.Scalars;

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
        NDArray logQ = Scalars.div(studentLogits, tau).logSoftmax(-1);
        NDArray logP = Scalars.div(teacherLogits, tau).logSoftmax(-1);
        NDArray kl = logP.exp().mul(logP.sub(logQ)).sum(new int[] {-1});
        return Scalars.mul(kl.mul(weights).sum().div(weights.sum().maximum(1e-9f)), tau * tau);
    }

    /**
     * DPO (Rafailov et al. 2023): mean over pairs of -log sigmoid(beta * ((pc - rc) - (pr - rr))), where
     * pc/pr are the policy's summed response log-probabilities of the chosen/rejected answer and rc/rr the
     * frozen reference's. Inputs are [P] arrays.
     */
    public static NDArray dpo(NDArray policyChosen, NDArray policyRejected, NDArray refChosen, NDArray refRejected, double beta) {
        NDArray margin = Scalars.mul(policyChosen.sub(refChosen).sub(policyRejected.sub(refRejected)), beta);
        // -log sigmoid(m) = softplus(-m) = max(-m, 0) + log(1 + exp(-|m|)), stable for any m
        NDArray neg = margin.neg();
        return Scalars.maximum(neg, 0).add(margin.abs().neg().exp().add(1f).log()).mean();
    }

    /** Summed weighted log-probability of each row's targets: [B, L, V] x [B, L] x [B, L] -> [B]. */
    public static NDArray sequenceLogProbs(NDArray logits, NDArray targets, NDArray weights) {
        return targetLogProbs(logits, targets).mul(weights).sum(new int[] {1});
    }
}
