package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import deepalign.model.ModelConfig;
import deepalign.model.ModelInit;
import deepalign.model.Transformer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DpoTest {
    @Test
    void dpoLossMatchesHandComputationAndIsStableForLargeMargins() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pc = m.create(new float[] {-3f, -10f}), pr = m.create(new float[] {-5f, -2f});
            NDArray rc = m.create(new float[] {-4f, -4f}), rr = m.create(new float[] {-4f, -4f});
            double beta = 0.5;
            // margins: 0.5*((-3+4) - (-5+4)) = 1.0 ; 0.5*((-10+4) - (-2+4)) = -4.0
            double expected = (Math.log(1 + Math.exp(-1.0)) + Math.log(1 + Math.exp(4.0))) / 2;
            assertThat((double) Losses.dpo(pc, pr, rc, rr, beta).getFloat()).isCloseTo(expected, offset(1e-5));
            // a margin of 1000 must give ~0, of -1000 ~1000, never inf or NaN
            NDArray big = m.create(new float[] {1000f}), zero = m.create(new float[] {0f});
            assertThat((double) Losses.dpo(big, zero, zero, zero, 1.0).getFloat()).isCloseTo(0.0, offset(1e-6));
            assertThat((double) Losses.dpo(zero, big, zero, zero, 1.0).getFloat()).isCloseTo(1000.0, offset(1e-3));
        }
    }

    @Test
    void sequenceLogProbsSumWeightedTargets() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0, 0, 0, 0, 0, (float) Math.log(3)}, new Shape(1, 2, 3));
            NDArray targets = m.create(new long[] {1, 2}, new Shape(1, 2));
            NDArray w = m.create(new float[] {0, 1}, new Shape(1, 2));
            // only slot 2 counts: p = 3 / (1 + 1 + 3)
            assertThat((double) Losses.sequenceLogProbs(logits, targets, w).getFloat(0)).isCloseTo(Math.log(0.6), offset(1e-5));
        }
    }

    @Test
    void trainingRaisesTheMarginAndLeavesTheReferenceUntouched() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig c = ModelConfig.of(ModelConfig.Arch.LLAMA, 24, 32, 64, 2, 4, 2);
            Transformer policy = ModelInit.random(c, m, 5);
            Transformer reference = ModelInit.random(c, m, 5);
            float[] refBefore = reference.parameters().get("model.embed_tokens.weight").toFloatArray();
            List<Dpo.Pair> pairs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int[] prompt = {1, 2 + i % 4, 3};
                pairs.add(new Dpo.Pair(Sequence.promptResponse(prompt, new int[] {10, 11, 12}),
                        Sequence.promptResponse(prompt, new int[] {20, 21, 22})));
            }
            Dpo.Result r = Dpo.train(policy, reference, pairs, List.of(), new Dpo.Config(30, 4, 0, 3e-3, 0.5, 0, 1), 0, "test");
            assertThat(r.margins().get(0)).isCloseTo(0.0, offset(1e-4)); // policy starts equal to the reference
            assertThat(r.margins().get(r.margins().size() - 1)).isGreaterThan(1.0);
            assertThat(r.dpoLosses().get(r.dpoLosses().size() - 1)).isLessThan(r.dpoLosses().get(0));
            assertThat(reference.parameters().get("model.embed_tokens.weight").toFloatArray()).containsExactly(refBefore);
        }
    }
}
