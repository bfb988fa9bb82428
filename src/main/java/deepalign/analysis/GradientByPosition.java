package deepalign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import deepalign.Progress;
import deepalign.model.Transformer;
import deepalign.train.AdamW;
import deepalign.train.Backprop;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient by position (METHOD.md section 1): g_t = || d log pi_theta(y_t | x, y_<t) / d theta ||_2 over
 * all parameters, one backward per (example, position). Under the standard SFT objective every
 * position's gradient is summed into one update; when g_t decays with t, the early tokens dominate
 * what alignment learns.
 */
public final class GradientByPosition {
    /** @param positions response positions to measure (1-based, increasing) */
    public record Config(int[] positions) {
        public Config {
            if (positions.length == 0) throw new DeepalignException("--positions selects no position.");
            for (int p : positions) if (p < 1) throw new DeepalignException("--positions must be at least 1, not " + p + ".");
            positions = positions.clone();
        }

        public int maxPosition() {
            int m = 0;
            for (int p : positions) m = Math.max(m, p);
            return m;
        }
    }

    public record Result(Config config, PositionStats harmful, PositionStats benign, int harmfulExamples, int benignExamples,
                         double seconds) {}

    private GradientByPosition() {}

    public static Result run(Transformer model, List<Responses.Scored> harmful, List<Responses.Scored> benign, Config cfg) {
        long t0 = System.nanoTime();
        PositionStats h = stats(model, harmful, cfg, "gradients (harmful)");
        PositionStats b = stats(model, benign, cfg, "gradients (benign)");
        return new Result(cfg, h, b, harmful.size(), benign.size(), (System.nanoTime() - t0) / 1e9);
    }

    static PositionStats stats(Transformer model, List<Responses.Scored> seqs, Config cfg, String label) {
        PositionStats.Accumulator acc = new PositionStats.Accumulator(cfg.positions());
        long work = 0;
        for (Responses.Scored s : seqs) for (int p : cfg.positions()) if (p <= s.response().length) work++;
        try (Progress bar = Progress.start(label, work)) {
            for (Responses.Scored s : seqs) {
                for (int p : cfg.positions()) {
                    if (p > s.response().length) continue;
                    acc.add(p, norm(model, s.ids(), s.prompt().length + p - 1));
                    bar.step();
                }
            }
        }
        return acc.stats();
    }

    /**
     * || grad log p(ids[target] | ids[<target]) || over every parameter, from one forward over
     * ids[0..target-1] and one backward. Gradients are zeroed before and after, because DJL's PyTorch
     * engine accumulates them across backward passes.
     */
    public static double norm(Transformer model, int[] ids, int target) {
        if (target < 1 || target >= ids.length) throw new IllegalArgumentException("target index " + target + " outside 1.." + (ids.length - 1));
        List<NDArray> params = new ArrayList<>(model.parameterArrays());
        model.setRequiresGradient(true);
        try (NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            AdamW.zeroGradients(params);
            long[] in = new long[target];
            for (int i = 0; i < target; i++) in[i] = ids[i];
            NDArray input = m.create(in, new Shape(1, target));
            NDArray mask = m.ones(new Shape(1, target));
            try (Backprop.Recording rec = Backprop.record()) {
                NDArray logits = model.forward(input, mask, null);
                NDArray last = logits.get(":, -1, :").logSoftmax(-1);
                NDArray logp = last.get(0, ids[target]);
                Backprop.backward(logp);
            }
            double sq = 0;
            for (NDArray p : params) sq += p.getGradient().toType(DataType.FLOAT64, false).square().sum().getDouble();
            AdamW.zeroGradients(params);
            return Math.sqrt(sq);
        } finally {
            model.setRequiresGradient(false);
        }
    }
}
