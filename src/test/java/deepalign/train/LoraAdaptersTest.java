package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import deepalign.model.TinyModels;
import deepalign.model.Transformer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class LoraAdaptersTest {
    /** A fresh manager per test, closed by JUnit after it. */
    @AutoClose
    NDManager m = NDManager.newBaseManager();

    @Test
    void adaptsTheSevenProjectionsWithZeroBAndScaledA() {
        Transformer t = TinyModels.random(TinyModels.llama(), m, 1);
        LoraAdapters lora = new LoraAdapters(t, 4, 8, 3, m);
        assertThat(lora.scale()).isEqualTo(2.0);
        int layers = t.config().numLayers();
        assertThat(lora.parameters()).hasSize(2 * 7 * layers);
        NDArray a = lora.parameters().get("model.layers.0.self_attn.q_proj.weight.lora_A");
        NDArray b = lora.parameters().get("model.layers.0.mlp.down_proj.weight.lora_B");
        assertThat(a.getShape()).isEqualTo(new Shape(4, t.config().hiddenSize()));
        assertThat(b.getShape()).isEqualTo(new Shape(t.config().hiddenSize(), 4));
        assertThat(b.abs().max().getFloat()).isZero();
        // N(0, 1/r): the sample variance of every A together is close to 1/4
        double sq = 0;
        long n = 0;
        for (Map.Entry<String, NDArray> e : lora.parameters().entrySet()) {
            if (!e.getKey().endsWith("lora_A")) continue;
            sq += e.getValue().square().sum().getFloat();
            n += e.getValue().size();
        }
        assertThat(sq / n).isCloseTo(0.25, within(0.03));
        assertThat(lora.parameters().keySet()).noneMatch(k -> k.contains("embed") || k.contains("norm"));
    }

    @Test
    void trainingChangesOnlyAdaptersAndMergedWeightsAreWPlusScaledBA() {
        Transformer t = TinyModels.random(TinyModels.llama(), m, 1);
        Map<String, float[]> before = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) before.put(e.getKey(), e.getValue().toFloatArray());
        LoraAdapters lora = new LoraAdapters(t, 2, 4, 5, m);
        NDArray ids = m.create(new long[] {2, 5, 9, 14, 3, 33}, new Shape(1, 6));
        NDArray mask = m.ones(new Shape(1, 6));
        float[] initial = lora.effective(t).forward(ids, mask, null).toFloatArray();
        float[] plain = t.forward(ids, mask, null).toFloatArray();
        assertThat(initial).containsExactly(plain, within(1e-6f)); // B = 0: the student starts at W

        for (NDArray p : lora.parameters().values()) p.setRequiresGradient(true);
        AdamW opt = new AdamW(lora.parameters(), new AdamW.Config(0.9, 0.999, 1e-8, 0.0, 0.0));
        for (int step = 0; step < 3; step++) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = lora.effective(t).forward(ids, mask, null);
                gc.backward(Losses.crossEntropy(logits, m.create(new long[] {5, 9, 14, 3, 33, 7}, new Shape(1, 6)), mask));
            }
            opt.step(1e-2);
        }
        for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) {
            assertThat(e.getValue().toFloatArray()).as(e.getKey()).containsExactly(before.get(e.getKey()));
            assertThat(e.getValue().hasGradient()).isFalse();
        }
        NDArray b = lora.parameters().get("model.layers.1.self_attn.v_proj.weight.lora_B");
        assertThat(b.abs().max().getFloat()).isPositive();

        Transformer merged = lora.merged(t, m);
        for (String name : t.parameterNames()) {
            float[] w = merged.param(name).toFloatArray();
            if (!LoraAdapters.adapted(name)) {
                assertThat(w).as(name).containsExactly(before.get(name));
                continue;
            }
            float[] aa = lora.parameters().get(name + ".lora_A").toFloatArray();
            float[] bb = lora.parameters().get(name + ".lora_B").toFloatArray();
            long[] shape = t.param(name).getShape().getShape();
            int out = (int) shape[0], in = (int) shape[1], r = 2;
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < in; j++) {
                    double ba = 0;
                    for (int q = 0; q < r; q++) ba += bb[i * r + q] * aa[q * in + j];
                    assertThat(w[i * in + j]).isCloseTo((float) (before.get(name)[i * in + j] + lora.scale() * ba), within(1e-5f));
                }
            }
        }
        assertThat(List.copyOf(merged.parameterNames())).isEqualTo(t.parameterNames());
    }
}
