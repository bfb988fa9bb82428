package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gradient zeroing must survive a non-finite backward pass: NaN * 0 is NaN, so scaling by 0 is not zeroing. */
class AdamWTest {
    /** p with gradient {NaN, +inf, -inf, 2} after one backward pass of sum(p * c). */
    private static NDArray poisoned(NDManager m) {
        NDArray p = m.create(new float[] {1f, 2f, 3f, 4f});
        p.setRequiresGradient(true);
        NDArray c = m.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f});
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(p.mul(c).sum());
        }
        assertThat(p.getGradient().toFloatArray()[0]).isNaN();
        return p;
    }

    @Test
    void zeroGradientsTurnsNaNAndInfinityIntoZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = poisoned(m);
            AdamW.zeroGradients(List.of(p));
            assertThat(p.getGradient().toFloatArray()).containsExactly(0f, 0f, 0f, 0f);

            // the next backward pass starts from zero, so its gradient is exactly its own
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.mul(3f).sum());
            }
            assertThat(p.getGradient().toFloatArray()).containsExactly(3f, 3f, 3f, 3f);
        }
    }

    @Test
    void aStepLeavesZeroGradientsEvenAfterANonFiniteOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = poisoned(m);
            AdamW opt = new AdamW(Map.of("w", p), AdamW.Config.defaults());
            opt.step(1e-3);
            assertThat(p.getGradient().toFloatArray()).containsExactly(0f, 0f, 0f, 0f);
            // the non-finite step was skipped: weights and step count untouched
            assertThat(p.toFloatArray()).containsExactly(1f, 2f, 3f, 4f);
            assertThat(opt.skippedSteps()).isEqualTo(1);
            assertThat(opt.stepCount()).isZero();
            // a finite step afterwards updates as usual
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.mul(3f).sum());
            }
            opt.step(1e-3);
            assertThat(opt.stepCount()).isEqualTo(1);
            assertThat(p.toFloatArray()[0]).isLessThan(1f);
        }
    }

    /** Parameters with gradients set from a fixed formula, so two optimizers see the same numbers. */
    private static Map<String, NDArray> params(NDManager m) {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            float[] v = new float[7 + i];
            for (int j = 0; j < v.length; j++) v[j] = (float) Math.sin(i * 7 + j);
            NDArray p = m.create(v);
            p.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.square().mul(m.create(i + 1f)).sum());
            }
            out.put("layer" + i + (i == 2 ? ".norm.weight" : ".weight"), p);
        }
        return out;
    }

    @Test
    void stepsGiveTheSameBitsOnOneWorkerAndOnSeveral() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> one = params(m);
            Map<String, NDArray> three = params(m);
            double n1;
            double n3;
            try (AutoCloseable w = deepalign.model.Workers.use(1)) {
                n1 = new AdamW(one, AdamW.Config.defaults()).step(0.1);
            }
            try (AutoCloseable w = deepalign.model.Workers.use(3)) {
                n3 = new AdamW(three, AdamW.Config.defaults()).step(0.1);
            }
            assertThat(n3).isEqualTo(n1);
            for (String name : one.keySet()) {
                assertThat(three.get(name).toFloatArray()).containsExactly(one.get(name).toFloatArray());
                assertThat(three.get(name).toFloatArray()).isNotEqualTo(params(m).get(name).toFloatArray()); // the step moved them
                assertThat(three.get(name).getGradient().toFloatArray()).containsOnly(0f);
            }
        }
    }
}
