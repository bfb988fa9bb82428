package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder-only transformer of the Llama family (Llama 2/3, Mistral, Qwen2), in one file, after HF's
 * modeling_llama.py: RMSNorm, rotary embeddings (default and llama3-scaled), grouped-query attention with
 * causal and padding masks, SwiGLU MLP and an LM head, tied or not. Qwen2 differs only by q/k/v biases;
 * Mistral's sliding window masks keys a window or more positions back (HF's eager semantics).
 *
 * <p>Parameters are kept under their Hugging Face names so that loading and saving are a plain copy.
 * Sequences are left-padded: {@code keyMask} marks real tokens with 1, and positions count real tokens
 * only, so a padded batch computes what each sequence computes alone.
 */
public final class Transformer implements AutoCloseable {
    private static final float MASKED = -1e9f; // finite, so fully padded rows stay finite

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private final float[] invFreq;
    private final DataType dtype;
    private final DataType accum; // norms and logits: float32, or float64 for gradient checks

    public Transformer(ModelConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = new LinkedHashMap<>(params);
        this.invFreq = Rope.inverseFrequencies(config);
        this.dtype = this.params.get("model.embed_tokens.weight").getDataType();
        this.accum = dtype == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public DataType dtype() {
        return dtype;
    }

    /** All parameters by Hugging Face name (tied models have no lm_head.weight entry). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    public Collection<NDArray> parameterArrays() {
        return params.values();
    }

    public NDArray param(String name) {
        NDArray p = params.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter " + name);
        return p;
    }

    public void setRequiresGradient(boolean requires) {
        for (NDArray p : params.values()) p.setRequiresGradient(requires);
    }

    /**
     * Full forward pass.
     *
     * @param ids     token ids [B, T] (int64)
     * @param keyMask 1 for real tokens, 0 for padding, over all keys [B, S] where S = cached + T (float32)
     * @param cache   KV cache to read and extend, or null for a stateless forward
     * @return logits [B, T, V] in float32 (float64 for a float64 model)
     */
    public NDArray forward(NDArray ids, NDArray keyMask, KVCache cache) {
        return forward(embed(ids), ids.getShape().get(1), keyMask, cache, 0);
    }

    /**
     * As {@link #forward(NDArray, NDArray, KVCache)}, with the LM head applied only from input slot {@code fromSlot}
     * on: logits [B, T - fromSlot, V]. A caller that scores the last few tokens (GCG's target) skips the head's
     * vocabulary-sized product at every other slot.
     */
    public NDArray forward(NDArray ids, NDArray keyMask, KVCache cache, int fromSlot) {
        return forward(embed(ids), ids.getShape().get(1), keyMask, cache, fromSlot);
    }

    /** Token embedding lookup [B, T] -> [B, T, H]; GCG differentiates through one-hot @ embedding instead. */
    public NDArray embed(NDArray ids) {
        return ids.getNDArrayInternal()
                .embedding(ids, param("model.embed_tokens.weight"), ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
    }

    /** Forward from input embeddings [B, T, H] (lets GCG feed one-hot @ embedding). */
    public NDArray forward(NDArray inputEmbeds, long seqLen, NDArray keyMask, KVCache cache) {
        return forward(inputEmbeds, seqLen, keyMask, cache, 0);
    }

    /** Forward from input embeddings with logits from slot {@code fromSlot} on (see the ids form). */
    public NDArray forward(NDArray inputEmbeds, long seqLen, NDArray keyMask, KVCache cache, int fromSlot) {
        if (fromSlot < 0 || fromSlot >= seqLen) throw new IllegalArgumentException("fromSlot " + fromSlot + " outside 0.." + (seqLen - 1));
        int past = cache == null ? 0 : cache.length();
        int t = Math.toIntExact(seqLen);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray positions = positions(keyMask, past, t);
            NDArray cos;
            NDArray sin;
            {
                NDArray freqs = positions.expandDims(-1).mul(manager.create(invFreq)); // [B,T,D/2]
                NDArray emb = freqs.concat(freqs, -1).expandDims(1); // [B,1,T,D]
                cos = emb.cos().toType(dtype, false);
                sin = emb.sin().toType(dtype, false);
            }
            NDArray mask = attentionMask(keyMask, past, t).toType(accum, false); // -1e9 overflows half precision
            NDArray h = inputEmbeds;
            for (int l = 0; l < config.numLayers(); l++) {
                String p = "model.layers." + l + ".";
                NDArray a = attention(rmsNorm(h, param(p + "input_layernorm.weight")), p, cos, sin, mask, cache, l);
                h = h.add(a);
                NDArray m = mlp(rmsNorm(h, param(p + "post_attention_layernorm.weight")), p);
                h = h.add(m);
            }
            if (fromSlot > 0) h = h.get(":, " + fromSlot + ":, :");
            h = rmsNorm(h, param("model.norm.weight"));
            NDArray head = config.tieWordEmbeddings() ? param("model.embed_tokens.weight") : param("lm_head.weight");
            NDArray logits = linear(h, head, null).toType(accum, false);
            if (cache != null) cache.advance(t);
            NDScope.unregister(logits);
            return logits;
        }
    }

    private NDArray attention(NDArray x, String p, NDArray cos, NDArray sin, NDArray mask, KVCache cache, int layer) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int nh = config.numHeads();
        int nkv = config.numKvHeads();
        int hd = config.headDim();
        int groups = nh / nkv;
        String sa = p + "self_attn.";
        NDArray q = linear(x, param(sa + "q_proj.weight"), params.get(sa + "q_proj.bias"))
                .reshape(b, t, nh, hd).transpose(0, 2, 1, 3);
        NDArray k = linear(x, param(sa + "k_proj.weight"), params.get(sa + "k_proj.bias"))
                .reshape(b, t, nkv, hd).transpose(0, 2, 1, 3);
        NDArray v = linear(x, param(sa + "v_proj.weight"), params.get(sa + "v_proj.bias"))
                .reshape(b, t, nkv, hd).transpose(0, 2, 1, 3);
        q = Rope.apply(q, cos, sin);
        k = Rope.apply(k, cos, sin);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        long s = k.getShape().get(2);
        // Query heads h*G..h*G+G-1 share kv head h (HF repeat_kv), so fold the group into the row axis.
        // The 1/sqrt(d) scale goes on q [.., T, D], not on the T x S scores: one pass over far fewer numbers.
        NDArray qg = Scalars.mul(q, 1.0 / Math.sqrt(hd)).reshape(b, nkv, groups * t, hd);
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)).reshape(b, nh, t, s);
        // In place: the scores are a fresh array, and autograd keeps matmul's inputs, not its output. Half precision
        // masks and normalises in float32, as HF's eager attention does (an all-masked padding row would be NaN).
        NDArray probs = dtype == accum ? scores.addi(mask).softmax(-1)
                : scores.toType(accum, false).addi(mask).softmax(-1).toType(dtype, false);
        probs = probs.reshape(b, nkv, groups * t, s);
        NDArray out = probs.matMul(v).reshape(b, nh, t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) nh * hd);
        return linear(out, param(sa + "o_proj.weight"), params.get(sa + "o_proj.bias"));
    }

    private NDArray mlp(NDArray x, String p) {
        NDArray gate = linear(x, param(p + "mlp.gate_proj.weight"), null);
        NDArray up = linear(x, param(p + "mlp.up_proj.weight"), null);
        return linear(gate.mul(Activation.sigmoid(gate)).mul(up), param(p + "mlp.down_proj.weight"), null);
    }

    /** RMSNorm computed in float32 (at least) as HF does, then cast back to the compute dtype. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray x32 = x.toType(accum, false);
        NDArray inv = Scalars.pow(x32.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()), -0.5);
        return x32.mul(inv).toType(dtype, false).mul(weight);
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        NDList out = x.getNDArrayInternal().linear(x, weight, bias);
        return out.singletonOrThrow();
    }

    /** Positions count real tokens only, so left padding does not shift them: cumsum(mask) - 1. */
    private NDArray positions(NDArray keyMask, int past, int t) {
        long s = keyMask.getShape().get(1);
        NDArray pos = keyMask.cumSum(1).sub(1).maximum(0);
        return pos.get(":, " + (s - t) + ":").toType(DataType.FLOAT32, false);
    }

    /** Additive mask [B,1,T,S]: causal over slots (query i sits at slot past+i) plus key padding. */
    private NDArray attentionMask(NDArray keyMask, int past, int t) {
        long b = keyMask.getShape().get(0);
        int s = Math.toIntExact(keyMask.getShape().get(1));
        if (s != past + t) {
            throw new IllegalArgumentException("key mask covers " + s + " slots but cache+input hold " + (past + t));
        }
        float[] causal = new float[t * s];
        Integer window = config.slidingWindow();
        for (int i = 0; i < t; i++) {
            for (int j = past + i + 1; j < s; j++) causal[i * s + j] = MASKED;
            // Mistral's window: itself and window - 1 keys before. Left padding is contiguous, so slot
            // distance between real tokens is position distance.
            if (window != null) for (int j = 0; j <= past + i - window; j++) causal[i * s + j] = MASKED;
        }
        NDArray c = manager.create(causal, new Shape(1, 1, t, s));
        NDArray pad = keyMask.toType(DataType.FLOAT32, false).sub(1).mul(-MASKED).reshape(b, 1, 1, s);
        return c.add(pad);
    }

    /** Parameters in a stable order for optimizers and checkpoints. */
    public List<String> parameterNames() {
        return new ArrayList<>(params.keySet());
    }

    @Override
    public void close() {
        for (NDArray p : params.values()) p.close();
    }
}
