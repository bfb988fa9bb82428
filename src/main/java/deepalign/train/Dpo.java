package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import deepalign.DeepalignException;
import deepalign.Progress;
import deepalign.model.Scalars;
import deepalign.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct preference optimisation against a frozen reference, with an optional language-modelling term on
 * retention data (benign chats, document replay) so that a small model keeps what it knows. The
 * organism's alignment uses it the way RLHF is used on real chat models: after SFT, prefer the refusal
 * to the harmful answer. The loss is {@link Losses#dpo} plus {@code retainWeight} times the
 * cross-entropy on the retention rows of the same step; the reference's log-probabilities are computed
 * once, before training.
 */
public final class Dpo {
    /** A preference: the same prompt with the preferred and the dispreferred response. */
    public record Pair(Sequence chosen, Sequence rejected) {}

    public record Config(int steps, int pairsPerStep, int retainPerStep, double lr, double beta, double retainWeight, long seed) {}

    /** DPO loss, retention loss, mean reward margin (beta-scaled) and wall time. */
    public record Result(List<Double> dpoLosses, List<Double> retainLosses, List<Double> margins, double seconds) {}

    private Dpo() {}

    public static Result train(Transformer policy, Transformer reference, List<Pair> pairs, List<Sequence> retain, Config cfg,
            int padId, String label) {
        if (pairs.isEmpty()) throw new DeepalignException("no preference pairs for " + label);
        float[][] ref = referenceLogProbs(reference, pairs, padId);
        policy.setRequiresGradient(true);
        AdamW opt = new AdamW(policy.parameters(), AdamW.Config.defaults());
        BatchOrder pairOrder = new BatchOrder(pairs.size(), cfg.pairsPerStep(), cfg.seed());
        BatchOrder retainOrder = retain.isEmpty() || cfg.retainPerStep() == 0 ? null
                : BatchOrder.byLength(retain, cfg.retainPerStep(), cfg.seed() + 1);
        List<Double> dpoLosses = new ArrayList<>(), retainLosses = new ArrayList<>(), margins = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Progress bar = Progress.start(label, cfg.steps())) {
            for (int step = 0; step < cfg.steps(); step++) {
                List<Integer> idx = pairOrder.next();
                List<Sequence> rows = new ArrayList<>();
                for (int i : idx) rows.add(pairs.get(i).chosen());
                for (int i : idx) rows.add(pairs.get(i).rejected());
                if (retainOrder != null) for (int i : retainOrder.next()) rows.add(retain.get(i));
                int p = idx.size();
                float[] rc = new float[p], rr = new float[p];
                for (int k = 0; k < p; k++) {
                    rc[k] = ref[0][idx.get(k)];
                    rr[k] = ref[1][idx.get(k)];
                }
                double dl, rl = 0, margin;
                try (NDManager m = NDManager.newBaseManager();
                        Batch batch = Batch.of(m, rows, padId);
                        NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    try (Backprop.Recording rec = Backprop.record()) {
                        NDArray logits = policy.forward(batch.inputs(), batch.mask(), null);
                        NDArray seqLp = Losses.sequenceLogProbs(logits.get(new NDIndex("0:{}", 2 * p)),
                                batch.targets().get(new NDIndex("0:{}", 2 * p)), batch.weights().get(new NDIndex("0:{}", 2 * p)));
                        NDArray pc = seqLp.get(new NDIndex("0:{}", p)), pr = seqLp.get(new NDIndex("{}:", p));
                        NDArray refC = m.create(rc), refR = m.create(rr);
                        NDArray loss = Losses.dpo(pc, pr, refC, refR, cfg.beta());
                        dl = loss.getFloat();
                        margin = pc.sub(refC).sub(pr.sub(refR)).mul((float) cfg.beta()).mean().getFloat();
                        if (rows.size() > 2 * p) {
                            NDIndex rest = new NDIndex("{}:", 2 * p);
                            NDArray ce = Losses.crossEntropy(logits.get(rest), batch.targets().get(rest), batch.weights().get(rest));
                            rl = ce.getFloat();
                            loss = loss.add(Scalars.mul(ce, cfg.retainWeight()));
                        }
                        Backprop.backward(loss);
                    }
                }
                if (!Double.isFinite(dl) || !Double.isFinite(rl)) {
                    throw new DeepalignException(label + ": loss became non-finite at step " + (step + 1) + "; lower the learning rate");
                }
                if (!Double.isFinite(opt.step(Schedule.warmupCosine(step, cfg.steps(), cfg.lr(), 0.1)))) {
                    throw new DeepalignException(label + ": gradient became non-finite at step " + (step + 1) + "; lower the learning rate");
                }
                dpoLosses.add(dl);
                retainLosses.add(rl);
                margins.add(margin);
                bar.step();
                bar.extra(String.format("dpo %.3f margin %.2f", dl, margin));
            }
        } finally {
            policy.setRequiresGradient(false);
        }
        return new Result(dpoLosses, retainLosses, margins, (System.nanoTime() - t0) / 1e9);
    }

    /** Reference summed log-probabilities: [0] chosen, [1] rejected, per pair. */
    static float[][] referenceLogProbs(Transformer reference, List<Pair> pairs, int padId) {
        float[][] out = new float[2][pairs.size()];
        int chunk = 32;
        for (int start = 0; start < pairs.size(); start += chunk) {
            List<Sequence> rows = new ArrayList<>();
            int end = Math.min(pairs.size(), start + chunk);
            for (int i = start; i < end; i++) rows.add(pairs.get(i).chosen());
            for (int i = start; i < end; i++) rows.add(pairs.get(i).rejected());
            try (NDManager m = NDManager.newBaseManager();
                    Batch batch = Batch.of(m, rows, padId);
                    NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                float[] lp = Losses.sequenceLogProbs(reference.forward(batch.inputs(), batch.mask(), null), batch.targets(), batch.weights())
                        .toFloatArray();
                int n = end - start;
                for (int k = 0; k < n; k++) {
                    out[0][start + k] = lp[k];
                    out[1][start + k] = lp[n + k];
                }
            }
        }
        return out;
    }
}
