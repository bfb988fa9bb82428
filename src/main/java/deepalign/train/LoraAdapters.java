package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import deepalign.model.Scalars;
import deepalign.model.Transformer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LoRA (Hu et al. 2021) on the attention and MLP projections without touching the transformer: each
 * step builds W_eff = W + (alpha / r) B A for every adapted matrix and runs a {@link Transformer}
 * over those effective weights (constructing one is a map copy). A is r x in, drawn from N(0, 1/r);
 * B is out x r, zeros, so the student starts exactly at W. Only A and B require gradients; the frozen
 * W never does.
 */
public final class LoraAdapters {
    /** The projections adapted, as in most LoRA recipes for Llama-family models. */
    public static final List<String> TARGETS =
            List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    private final int rank;
    private final double alpha;
    /** Trainable arrays by name: "{weight name}.lora_A" and ".lora_B". */
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    public LoraAdapters(Transformer base, int rank, double alpha, long seed, NDManager manager) {
        if (rank < 1) throw new DeepalignException("--lora-rank must be at least 1, got " + rank);
        this.rank = rank;
        this.alpha = alpha;
        SplittableRandom rng = new SplittableRandom(seed);
        double std = 1 / Math.sqrt(rank);
        for (String name : base.parameterNames()) {
            if (!adapted(name)) continue;
            long[] shape = base.param(name).getShape().getShape(); // [out, in]
            float[] a = new float[Math.toIntExact(rank * shape[1])];
            for (int i = 0; i < a.length; i++) a[i] = (float) (rng.nextGaussian() * std);
            NDArray arrA = manager.create(a, new Shape(rank, shape[1])).toType(base.dtype(), false);
            NDArray arrB = manager.zeros(new Shape(shape[0], rank), base.dtype());
            arrA.setRequiresGradient(true);
            arrB.setRequiresGradient(true);
            params.put(name + ".lora_A", arrA);
            params.put(name + ".lora_B", arrB);
        }
        if (params.isEmpty()) throw new DeepalignException("the model has none of the LoRA target projections " + TARGETS);
    }

    static boolean adapted(String name) {
        if (!name.endsWith(".weight")) return false;
        for (String t : TARGETS) if (name.endsWith(t + ".weight")) return true;
        return false;
    }

    public int rank() {
        return rank;
    }

    public double scale() {
        return alpha / rank;
    }

    /** The trainable A and B arrays by name (what the optimizer and checkpoints see). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /**
     * A transformer over W_eff = stopGradient(W) + scale * B A; call it inside the gradient collector so
     * that gradients flow into A and B.
     */
    public Transformer effective(Transformer base) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : base.parameters().entrySet()) {
            String name = e.getKey();
            NDArray a = params.get(name + ".lora_A");
            p.put(name, a == null ? e.getValue() : e.getValue().stopGradient().add(Scalars.mul(params.get(name + ".lora_B").matMul(a), scale())));
        }
        return new Transformer(base.config(), base.manager(), p);
    }

    /** W + scale * B A as plain arrays in {@code manager}: the checkpoint the run saves. */
    public Transformer merged(Transformer base, NDManager manager) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : base.parameters().entrySet()) {
            String name = e.getKey();
            NDArray a = params.get(name + ".lora_A");
            NDArray w = a == null
                    ? e.getValue().duplicate()
                    : e.getValue().add(params.get(name + ".lora_B").matMul(a).mul((float) scale())).stopGradient();
            w.attach(manager);
            p.put(name, w);
        }
        return new Transformer(base.config(), manager, p);
    }
}
