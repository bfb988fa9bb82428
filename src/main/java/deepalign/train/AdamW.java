package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import deepalign.model.Workers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * AdamW (Loshchilov and Hutter) written out over NDArrays, with global-norm gradient clipping. Weight
 * decay skips norms and biases, as nanoGPT does. Moments are kept by parameter name for checkpoints.
 */
public final class AdamW {
    public record Config(double beta1, double beta2, double eps, double weightDecay, double clipNorm) {
        public static Config defaults() {
            return new Config(0.9, 0.95, 1e-8, 0.1, 1.0);
        }
    }

    private final Config cfg;
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;
    private long skipped;
    private String nonFinite;

    public AdamW(Map<String, NDArray> params, Config cfg) {
        this.cfg = cfg;
        this.params = params;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDManager mgr = e.getValue().getManager();
            m.put(e.getKey(), mgr.zeros(e.getValue().getShape(), e.getValue().getDataType()));
            v.put(e.getKey(), mgr.zeros(e.getValue().getShape(), e.getValue().getDataType()));
        }
    }

    /** Steps skipped because the gradient norm was not finite (the weights were left untouched). */
    public long skippedSteps() {
        return skipped;
    }

    /** The first parameter whose gradient was not finite at the last skipped step, or null. */
    public String lastNonFiniteParameter() {
        return nonFinite;
    }

    public long stepCount() {
        return step;
    }

    /** Clips gradients to cfg.clipNorm, applies one update at {@code lr}, zeroes gradients; returns the pre-clip norm. */
    public double step(double lr) {
        double norm = gradNorm();
        if (!Double.isFinite(norm)) {
            // An overflowing batch would turn every moment and weight into NaN; skip it like a loss scaler does.
            zeroGradients(params.values());
            skipped++;
            return norm;
        }
        step++;
        double clip = cfg.clipNorm() > 0 && norm > cfg.clipNorm() ? cfg.clipNorm() / (norm + 1e-6) : 1.0;
        double bc1 = 1 - Math.pow(cfg.beta1(), step);
        double bc2 = 1 - Math.pow(cfg.beta2(), step);
        perParameter(name -> {
            NDArray p = params.get(name);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = p.getGradient();
                NDArray gc = g.mul((float) clip);
                m.get(name).muli((float) cfg.beta1()).addi(gc.mul((float) (1 - cfg.beta1())));
                v.get(name).muli((float) cfg.beta2()).addi(gc.square().mul((float) (1 - cfg.beta2())));
                NDArray update = m.get(name).div((float) bc1).div(v.get(name).div((float) bc2).sqrt().add((float) cfg.eps()));
                if (decays(name)) p.muli((float) (1 - lr * cfg.weightDecay()));
                p.subi(update.mul((float) lr));
                zero(g); // DJL's PyTorch engine accumulates gradients across backward passes
            }
        });
        return norm;
    }

    /**
     * Runs {@code work} for every parameter name, the parameters split across the {@link Workers}: each
     * parameter's update reads and writes only its own arrays, so the result does not depend on the split.
     */
    private void perParameter(Consumer<String> work) {
        List<Callable<Void>> parts = new ArrayList<>();
        for (List<String> part : Workers.split(new ArrayList<>(params.keySet()), Workers.count())) {
            parts.add(() -> {
                for (String name : part) work.accept(name);
                return null;
            });
        }
        Workers.map(parts);
    }

    /**
     * Gradient L2 norm over all parameters, summed in float64: a float32 sum of squares overflows to
     * infinity once one entry passes about 1e19, and a finite gradient that large is clipping's job.
     * Records the first parameter whose squared gradient is not finite.
     */
    public double gradNorm() {
        Map<String, Double> squares = new java.util.concurrent.ConcurrentHashMap<>();
        perParameter(name -> {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                squares.put(name, params.get(name).getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).square().sum().getDouble());
            }
        });
        double sq = 0;
        nonFinite = null;
        for (String name : params.keySet()) { // summed in parameter order: the same norm for any worker count
            double s = squares.get(name);
            if (!Double.isFinite(s) && nonFinite == null) nonFinite = name;
            sq += s;
        }
        return Math.sqrt(sq);
    }

    /** Zeroes the accumulated gradients of {@code params}, NaN and infinity included. */
    public static void zeroGradients(Iterable<NDArray> params) {
        for (NDArray p : params) {
            if (!p.hasGradient()) continue;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                zero(p.getGradient());
            }
        }
    }

    /**
     * Writes 0 into every element. Not {@code muli(0)} or {@code subi(g)}: NaN * 0 and inf - inf are NaN, so one
     * non-finite backward pass would poison every later step (DJL's own GradientCollector.zeroGradients subtracts).
     */
    private static void zero(NDArray g) {
        g.set(new NDIndex("..."), 0f);
    }

    static boolean decays(String name) {
        return !(name.endsWith("norm.weight") || name.endsWith(".bias"));
    }

    /** Optimizer state for checkpoints: step count and both moments by parameter name. */
    public Map<String, NDArray> firstMoments() {
        return m;
    }

    public Map<String, NDArray> secondMoments() {
        return v;
    }

    public void restore(long step, Map<String, float[]> first, Map<String, float[]> second) {
        this.step = step;
        for (String name : new ArrayList<>(m.keySet())) {
            m.get(name).set(first.get(name));
            v.get(name).set(second.get(name));
        }
    }

    public List<String> names() {
        return new ArrayList<>(params.keySet());
    }
}
