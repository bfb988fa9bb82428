package deepalign.train;

import ai.djl.ndarray.NDArray;
import deepalign.DeepalignException;
import deepalign.model.Scalars;
import java.util.Locale;

/**
 * The losses of targeted completion training (METHOD.md section 3), over "rows": the student's logits
 * at response positions only, gathered into {@code [N, V]}. Teacher-side arrays (kept teacher entries,
 * base-favored sets, the aligned model's values there) are plain data from {@link TeacherCache}: they
 * never require gradients, so only the student is trained.
 */
public final class CompletionLoss {
    /** prob-l2: sum pi^S(v)^2 over B_t; logit-l2: sum (log pi^S(v) - log pi^A(v) + margin)_+^2 over B_t. */
    public enum Penalty {
        PROB_L2,
        LOGIT_L2;

        public static Penalty parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "prob-l2", "prob_l2" -> PROB_L2;
                case "logit-l2", "logit_l2" -> LOGIT_L2;
                default -> throw new DeepalignException("unknown --penalty " + s + "; use prob-l2 or logit-l2");
            };
        }

        public String label() {
            return this == PROB_L2 ? "prob-l2" : "logit-l2";
        }
    }

    /**
     * Knobs of L_comp. {@code enabled = false} leaves L = L_KL (recovery stage 1).
     *
     * @param alphaBase alpha_base of alpha_t = alpha_base (1 + gamma risk_t)
     * @param gamma     gamma of the adaptive weight
     * @param margin    margin of the logit-l2 form (nats), unused by prob-l2
     */
    public record Config(boolean enabled, Penalty penalty, double alphaBase, double gamma, double margin) {
        public static Config defaults() {
            return new Config(true, Penalty.PROB_L2, 1.0, 1.0, 1.0);
        }

        public static Config disabled() {
            return new Config(false, Penalty.PROB_L2, 0.0, 0.0, 0.0);
        }
    }

    /** The three numbers of a step: L, L_KL and L_comp (scalars that carry the student's graph). */
    public record Terms(NDArray total, NDArray kl, NDArray comp) {}

    private CompletionLoss() {}

    /**
     * tau^2 KL(teacher || softmax(student / tau)) per row, the teacher given by its kept entries: ids and
     * log-probabilities at temperature tau from its full softmax. The student's log-probabilities come
     * from its full log-softmax over the vocabulary. The teacher mass outside the kept ids is handled as
     * {@code tail} says (see {@link TeacherCache.Tail}); with every id kept both forms are the exact KL.
     *
     * @param student     [N, V] student logits
     * @param teacherIdx  [N, M] int64 kept vocabulary ids
     * @param teacherLogp [N, M] teacher log-probabilities at those ids (temperature tau)
     * @return [N]
     */
    public static NDArray distillKl(NDArray student, NDArray teacherIdx, NDArray teacherLogp, double tau, TeacherCache.Tail tail) {
        NDArray logQ = Scalars.div(student, tau).logSoftmax(-1).gather(teacherIdx, -1);
        NDArray kl;
        if (tail == TeacherCache.Tail.RENORMALISE) {
            NDArray logP = teacherLogp.logSoftmax(-1);
            kl = logP.exp().mul(logP.sub(logQ)).sum(new int[] {-1});
        } else {
            NDArray p = teacherLogp.exp();
            kl = p.mul(teacherLogp.sub(logQ)).sum(new int[] {-1});
            // the "other tokens" outcome: teacher mass 1 - sum p against student mass 1 - sum q
            NDArray pRest = p.sum(new int[] {-1}).neg().add(1f).maximum(0f);
            NDArray qRest = Scalars.maximum(logQ.exp().sum(new int[] {-1}).neg().add(1f), TAIL_FLOOR);
            kl = kl.add(pRest.mul(pRest.maximum(TAIL_FLOOR).log().sub(qRest.log())));
        }
        return Scalars.mul(kl, tau * tau);
    }

    /** Below float32 resolution of 1 - sum: a tail this small is treated as empty. */
    private static final float TAIL_FLOOR = 1e-7f;

    /**
     * sum over v in B_t of pi^S_t(v)^2 per row (temperature 1).
     *
     * @param favIdx  [N, K] int64 base-favored ids, padded with any valid id
     * @param favMask [N, K] 1 for real members of B_t, 0 for padding
     */
    public static NDArray probL2(NDArray student, NDArray favIdx, NDArray favMask) {
        NDArray p = student.logSoftmax(-1).gather(favIdx, -1).exp();
        return p.square().mul(favMask).sum(new int[] {-1});
    }

    /**
     * sum over v in B_t of (log pi^S_t(v) - log pi^A_t(v) + margin)_+^2 per row. We compare
     * log-softmax-normalised logits: raw logits carry a per-position constant that changes no
     * probability, and a penalty on raw logits could be met by shifting every logit down.
     *
     * @param alignedFav [N, K] log pi^A_t at the base-favored ids
     */
    public static NDArray logitL2(NDArray student, NDArray favIdx, NDArray favMask, NDArray alignedFav, double margin) {
        NDArray gap = student.logSoftmax(-1).gather(favIdx, -1).sub(alignedFav).add((float) margin);
        return Scalars.maximum(gap, 0).square().mul(favMask).sum(new int[] {-1});
    }

    /** alpha_t = alpha_base (1 + gamma risk_t), risk_t = m^A_t. */
    public static float adaptiveWeight(float risk, double alphaBase, double gamma) {
        return (float) (alphaBase * (1 + gamma * risk));
    }

    /**
     * L = L_KL + L_comp: L_KL is the mean of {@code klRows} over every row; L_comp is the mean over
     * harmful rows of alpha_t times the penalty ({@code alpha} holds alpha_t on harmful rows and 0 on
     * utility rows, {@code harmfulRows} their count). A batch without harmful rows has L_comp = 0.
     */
    public static Terms combine(NDArray klRows, NDArray penaltyRows, NDArray alpha, int harmfulRows) {
        return combine(klRows, penaltyRows, alpha, Math.toIntExact(klRows.size()), harmfulRows);
    }

    /**
     * As above for one shard of a batch: sums over the shard's rows divided by the whole batch's row counts
     * {@code rows} and {@code harmfulRows}, so that the shards' terms (and gradients) add up to the batch's.
     */
    public static Terms combine(NDArray klRows, NDArray penaltyRows, NDArray alpha, int rows, int harmfulRows) {
        NDArray kl = Scalars.div(klRows.sum(), Math.max(1, rows));
        NDArray comp = penaltyRows == null || harmfulRows == 0
                ? kl.zerosLike()
                : Scalars.div(penaltyRows.mul(alpha).sum(), harmfulRows);
        return new Terms(kl.add(comp), kl, comp);
    }
}
