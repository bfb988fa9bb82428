package deepalign.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class TransformerTest {
    /** A fresh manager per test, closed by JUnit after it. */
    @AutoClose
    NDManager m = NDManager.newBaseManager();

    private NDArray ids(long... v) {
        return m.create(v, new Shape(1, v.length));
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a.length).isEqualTo(b.length);
        float d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    private float[] row(NDArray logits, long t) {
        return logits.get(":, " + t + ", :").toFloatArray();
    }

    @Test
    void kvCacheMatchesFullForwardAtEveryStep() {
        Transformer model = TinyModels.random(TinyModels.llama(), m, 1);
        long[] seq = {2, 5, 9, 14, 3, 33, 7, 8, 21, 40};
        NDArray full = model.forward(ids(seq), m.ones(new Shape(1, seq.length)), null);
        try (KVCache cache = new KVCache(model.config().numLayers())) {
            long[] prompt = java.util.Arrays.copyOf(seq, 4);
            NDArray first = model.forward(ids(prompt), m.ones(new Shape(1, 4)), cache);
            for (int t = 0; t < 4; t++) assertThat(maxAbsDiff(row(first, t), row(full, t))).isLessThan(1e-4f);
            for (int t = 4; t < seq.length; t++) {
                NDArray step = model.forward(ids(seq[t]), m.ones(new Shape(1, t + 1)), cache);
                assertThat(maxAbsDiff(row(step, 0), row(full, t))).as("step %d", t).isLessThan(1e-4f);
            }
            assertThat(cache.length()).isEqualTo(seq.length);
        }
    }

    /** A one-row prefix cache repeated for a batch, then logits from a given slot only: the slots of a full forward. */
    @Test
    void repeatedPrefixCacheAndLateLogitsMatchFullForwards() {
        Transformer model = TinyModels.random(TinyModels.llama(), m, 7);
        long[] prefix = {2, 5, 9, 14};
        long[][] tails = {{3, 33, 7, 8}, {21, 40, 6, 11}, {3, 12, 13, 8}};
        try (KVCache shared = new KVCache(model.config().numLayers())) {
            model.forward(ids(prefix), m.ones(new Shape(1, 4)), shared, 3);
            long[] flat = java.util.Arrays.stream(tails).flatMapToLong(java.util.Arrays::stream).toArray();
            NDArray late;
            try (KVCache batch = shared.repeatRows(3)) {
                late = model.forward(m.create(flat, new Shape(3, 4)), m.ones(new Shape(3, 8)), batch, 2);
                assertThat(batch.length()).isEqualTo(8);
            }
            assertThat(late.getShape()).isEqualTo(new Shape(3, 2, model.config().vocabSize()));
            assertThat(shared.length()).isEqualTo(4); // the shared prefix is untouched
            for (int r = 0; r < 3; r++) {
                long[] seq = java.util.stream.LongStream.concat(java.util.Arrays.stream(prefix), java.util.Arrays.stream(tails[r])).toArray();
                NDArray full = model.forward(ids(seq), m.ones(new Shape(1, 8)), null);
                for (int j = 0; j < 2; j++) {
                    assertThat(maxAbsDiff(late.get(r + ", " + j + ", :").toFloatArray(), row(full, 6 + j))).as("row %d slot %d", r, j).isLessThan(1e-4f);
                }
            }
        }
        assertThatThrownBy(() -> model.forward(ids(1, 2), m.ones(new Shape(1, 2)), null, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void paddedBatchMatchesEachSequenceAlone() {
        Transformer model = TinyModels.random(TinyModels.qwen2Tied(), m, 2);
        TinyModels.randomizeBiases(model, 3);
        long[] a = {4, 8, 15, 16, 23, 42};
        long[] b = {7, 9, 11};
        NDArray batchIds = m.create(new long[] {4, 8, 15, 16, 23, 42, 0, 0, 0, 7, 9, 11}, new Shape(2, 6));
        NDArray mask = m.create(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, new Shape(2, 6));
        NDArray batch = model.forward(batchIds, mask, null);
        NDArray aloneA = model.forward(ids(a), m.ones(new Shape(1, 6)), null);
        NDArray aloneB = model.forward(ids(b), m.ones(new Shape(1, 3)), null);
        for (int t = 0; t < 6; t++) {
            assertThat(maxAbsDiff(batch.get("0, " + t + ", :").toFloatArray(), row(aloneA, t))).isLessThan(1e-4f);
        }
        for (int t = 0; t < 3; t++) {
            assertThat(maxAbsDiff(batch.get("1, " + (t + 3) + ", :").toFloatArray(), row(aloneB, t))).isLessThan(1e-4f);
        }
        assertThat(batch.isNaN().any().getBoolean()).isFalse();
    }

    @Test
    void futureTokensNeverChangeEarlierLogits() {
        Transformer model = TinyModels.random(TinyModels.llama(), m, 4);
        NDArray x = model.forward(ids(3, 4, 5, 6, 7, 8, 9), m.ones(new Shape(1, 7)), null);
        NDArray y = model.forward(ids(3, 4, 5, 6, 50, 51, 52), m.ones(new Shape(1, 7)), null);
        for (int t = 0; t < 4; t++) assertThat(maxAbsDiff(row(x, t), row(y, t))).isZero();
        assertThat(maxAbsDiff(row(x, 4), row(y, 4))).isGreaterThan(1e-3f);
    }

    @Test
    void qwen2BiasesChangeTheOutput() {
        Transformer model = TinyModels.random(TinyModels.qwen2Tied(), m, 5);
        assertThat(model.parameters()).containsKey("model.layers.0.self_attn.q_proj.bias").doesNotContainKey("lm_head.weight");
        float[] before = model.forward(ids(1, 2, 3), m.ones(new Shape(1, 3)), null).toFloatArray();
        TinyModels.randomizeBiases(model, 6);
        float[] after = model.forward(ids(1, 2, 3), m.ones(new Shape(1, 3)), null).toFloatArray();
        assertThat(maxAbsDiff(before, after)).isGreaterThan(1e-3f);
    }

    /** Central differences in float64 against autograd for a handful of weights in every kind of tensor. */
    @Test
    void gradientsMatchFiniteDifferencesInFloat64() {
        Transformer model = TinyModels.cast(TinyModels.random(TinyModels.qwen2Tied(), m, 7), DataType.FLOAT64);
        TinyModels.randomizeBiases(model, 8);
        NDArray input = ids(5, 6, 7, 8, 9);
        NDArray mask = m.ones(new Shape(1, 5));
        NDArray probe = m.randomNormal(new Shape(1, 5, model.config().vocabSize())).toType(DataType.FLOAT64, false);
        model.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(model.forward(input, mask, null).mul(probe).sum());
        }
        String[] names = {
            "model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.bias",
            "model.layers.1.self_attn.v_proj.weight", "model.layers.1.self_attn.o_proj.weight", "model.layers.0.mlp.gate_proj.weight",
            "model.layers.1.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight", "model.norm.weight"
        };
        for (String name : names) {
            NDArray p = model.param(name);
            double[] grad = p.getGradient().toDoubleArray();
            double[] w = p.toDoubleArray();
            for (int idx : new int[] {0, w.length / 2, w.length - 1}) {
                double eps = 1e-6;
                double orig = w[idx];
                w[idx] = orig + eps;
                p.set(w);
                double up = model.forward(input, mask, null).mul(probe).sum().getDouble();
                w[idx] = orig - eps;
                p.set(w);
                double down = model.forward(input, mask, null).mul(probe).sum().getDouble();
                w[idx] = orig;
                p.set(w);
                double numeric = (up - down) / (2 * eps);
                assertThat(grad[idx]).as("%s[%d]", name, idx).isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(numeric)));
            }
        }
    }

    @Test
    void llama3RopeFrequenciesMatchHandComputation() {
        // head_dim 8, theta 10000: inv = [1, 0.1, 0.01, 0.001]; wavelengths 2*pi/inv = [6.28, 62.8, 628, 6283].
        // original context 64, low_freq_factor 1, high_freq_factor 4, factor 8:
        // low_wavelen = 64, high_wavelen = 16. 6.28 < 16 kept; 62.8 in [16, 64] smoothed; 628 and 6283 > 64 divided by 8.
        ModelConfig c = ModelConfig.builder(ModelConfig.Arch.LLAMA, 10, 16, 16, 1, 2, 2)
                .ropeScaling(ModelConfig.RopeScaling.llama3(8, 1, 4, 64))
                .build();
        float[] inv = Rope.inverseFrequencies(c);
        double smooth = (64 / (2 * Math.PI / 0.1) - 1) / (4 - 1);
        double mid = (1 - smooth) * 0.1 / 8 + smooth * 0.1;
        assertThat(inv[0]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat((double) inv[1]).isCloseTo(mid, org.assertj.core.data.Offset.offset(1e-7));
        assertThat((double) inv[2]).isCloseTo(0.01 / 8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat((double) inv[3]).isCloseTo(0.001 / 8, org.assertj.core.data.Offset.offset(1e-10));
        // and they change the logits relative to unscaled rope at long positions
        Transformer scaled = ModelInit.random(c, m, 1);
        Transformer plain = new Transformer(ModelConfig.builder(ModelConfig.Arch.LLAMA, 10, 16, 16, 1, 2, 2).build(), m, scaled.parameters());
        long[] seq = new long[40];
        for (int i = 0; i < seq.length; i++) seq[i] = i % 10;
        float[] a = scaled.forward(ids(seq), m.ones(new Shape(1, 40)), null).toFloatArray();
        float[] b = plain.forward(ids(seq), m.ones(new Shape(1, 40)), null).toFloatArray();
        assertThat(maxAbsDiff(a, b)).isGreaterThan(1e-5f);
    }
}
