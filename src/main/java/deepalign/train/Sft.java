package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import deepalign.DeepalignException;
import deepalign.Progress;
import deepalign.model.Scalars;
import deepalign.model.Transformer;
import deepalign.model.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

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

    /** Consecutive non-finite losses or gradients after which training stops instead of skipping (every training loop). */
    static final int MAX_BAD_STEPS = 3;

    private Sft() {}

    /** Mean of the last {@code window} values (all of them when fewer): a loss curve's final level. */
    public static double meanOfLast(List<Double> values, int window) {
        int n = Math.min(window, values.size());
        return values.subList(values.size() - n, values.size()).stream().mapToDouble(d -> d).average().orElse(Double.NaN);
    }

    /**
     * Forward and backward of one shard: its weighted mean cross-entropy times its share of the batch's
     * loss weight, so that the shards' gradients add up to the whole batch's.
     */
    static double shardLoss(Transformer model, List<Sequence> shard, int padId, double batchWeight) {
        double share = shard.stream().mapToDouble(Sequence::lossWeight).sum();
        try (NDManager m = NDManager.newBaseManager(model.manager().getDevice());
                Batch batch = Batch.of(m, shard, padId);
                NDScope scope = new NDScope();
                Backprop.Recording rec = Backprop.record()) {
            scope.suppressNotUsedWarning();
            NDArray logits = model.forward(batch.inputs(), batch.mask(), null);
            NDArray l = Scalars.mul(Losses.crossEntropy(logits, batch.targets(), batch.weights()), batchWeight > 0 ? share / batchWeight : 0);
            Backprop.backward(l);
            return l.toType(DataType.FLOAT64, false).getDouble();
        }
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
                double weight = seqs.stream().mapToDouble(Sequence::lossWeight).sum();
                // Data parallel: each worker back-propagates its shard's share of the batch's mean loss.
                List<Callable<Double>> shards = new ArrayList<>();
                for (List<Sequence> shard : Workers.split(seqs, Workers.count())) shards.add(() -> shardLoss(model, shard, padId, weight));
                double loss = 0;
                for (double part : Workers.map(shards)) loss += part;
                tokens += (long) weight;
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
