package deepalign.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import deepalign.DeepalignException;
import deepalign.Progress;
import deepalign.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * Supervised fine-tuning / language-model training: one readable loop (shuffle, collate, forward,
 * weighted cross-entropy, backward, AdamW) used for organism pretraining, safety SFT, the baselines
 * and the fine-tuning attack.
 */
public final class Sft {
    public record Config(int steps, int batchSize, double lr, double warmupFraction, long seed, AdamW.Config adam) {
        public static Config of(int steps, int batchSize, double lr, long seed) {
            return new Config(steps, batchSize, lr, 0.05, seed, AdamW.Config.defaults());
        }
    }

    /** Loss per step, wall time and trained (weighted) tokens. */
    public record Result(List<Double> losses, double seconds, long tokens) {
        public double finalLoss(int window) {
            return meanOfLast(losses, window);
        }
    }

    /** Consecutive non-finite losses or gradients after which training stops instead of skipping. */
    static final int MAX_BAD_STEPS = 3;

    private Sft() {}

    /** Mean of the last {@code window} values (all of them when fewer): a loss curve's final level. */
    public static double meanOfLast(List<Double> values, int window) {
        int n = Math.min(window, values.size());
        return values.subList(values.size() - n, values.size()).stream().mapToDouble(d -> d).average().orElse(Double.NaN);
    }

    public static Result train(Transformer model, List<Sequence> data, Config cfg, int padId, String label) {
        if (data.isEmpty()) throw new DeepalignException("no training examples for " + label);
        model.setRequiresGradient(true);
        AdamW opt = new AdamW(model.parameters(), cfg.adam());
        BatchOrder order = BatchOrder.byLength(data, cfg.batchSize(), cfg.seed());
        List<Double> losses = new ArrayList<>();
        long tokens = 0;
        int badInARow = 0;
        long t0 = System.nanoTime();
        try (Progress bar = Progress.start(label, cfg.steps())) {
            for (int step = 0; step < cfg.steps(); step++) {
                List<Sequence> seqs = new ArrayList<>();
                for (int i : order.next()) seqs.add(data.get(i));
                double loss;
                try (NDManager m = NDManager.newBaseManager();
                        Batch batch = Batch.of(m, seqs, padId);
                        NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = model.forward(batch.inputs(), batch.mask(), null);
                        NDArray l = Losses.crossEntropy(logits, batch.targets(), batch.weights());
                        gc.backward(l);
                        loss = l.getFloat();
                    }
                    tokens += (long) batch.weightSum();
                }
                // A non-finite loss or gradient skips the batch with the weights untouched (AdamW skips a
                // non-finite gradient itself); a run of them means the model diverged.
                double norm = Double.NaN;
                if (Double.isFinite(loss)) norm = opt.step(Schedule.warmupCosine(step, cfg.steps(), cfg.lr(), cfg.warmupFraction()));
                else AdamW.zeroGradients(model.parameters().values());
                if (!Double.isFinite(norm)) {
                    String what = Double.isFinite(loss) ? "gradient norm " + norm : "loss " + loss;
                    if (++badInARow >= MAX_BAD_STEPS) {
                        throw new DeepalignException(label + ": " + what + " for " + MAX_BAD_STEPS + " steps in a row (last at step " + (step + 1)
                                + "); lower the learning rate");
                    }
                    System.err.println(label + ": skipped step " + (step + 1) + " (" + what + ")");
                    bar.step();
                    continue;
                }
                badInARow = 0;
                losses.add(loss);
                bar.step();
                bar.extra(String.format("loss %.3f", loss));
            }
        } finally {
            model.setRequiresGradient(false);
        }
        return new Result(losses, (System.nanoTime() - t0) / 1e9, tokens);
    }
}
