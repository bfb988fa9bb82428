package deepalign.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import deepalign.model.CachedStepModel;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.ModelInit;
import deepalign.model.StepModel;
import deepalign.model.Transformer;
import deepalign.model.TinyModels;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class ContrastiveStepModelTest {
    /** A fresh manager per test, closed by JUnit after it. */
    @AutoClose
    NDManager m = NDManager.newBaseManager();

    private static double[] logSoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v);
        double s = 0;
        for (double v : z) s += Math.exp(v - max);
        double lse = max + Math.log(s);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) out[i] = z[i] - lse;
        return out;
    }

    private float[] combine(double[] za, double[] zb, double alpha, Double beta) {
        NDArray a = m.create(toFloat(za), new Shape(1, za.length));
        NDArray b = m.create(toFloat(zb), new Shape(1, zb.length));
        try (NDArray z = ContrastiveStepModel.combine(a, b, alpha, beta)) {
            return z.toFloatArray();
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    @Test
    void combinesLogSoftmaxesAsEquationSeven() {
        double[] za = {1, 2, 3, 0.5};
        double[] zb = {3, 2, 1, 0.5};
        double alpha = 1.5;
        float[] z = combine(za, zb, alpha, null);
        double[] la = logSoftmax(za);
        double[] lb = logSoftmax(zb);
        for (int v = 0; v < 4; v++) assertThat((double) z[v]).isCloseTo(la[v] + alpha * (la[v] - lb[v]), within(1e-5));
        // the base favours token 0 and the aligned model token 2: the contrast widens that gap
        assertThat(z[2] - z[0]).isGreaterThan((float) (la[2] - la[0]));
    }

    @Test
    void shiftingEitherModelsLogitsChangesNothing() {
        double[] za = {1, 2, 3};
        double[] zb = {3, 2, 1};
        float[] z = combine(za, zb, 1.0, null);
        float[] shifted = combine(new double[] {11, 12, 13}, new double[] {-4, -5, -6}, 1.0, null);
        for (int v = 0; v < 3; v++) assertThat(shifted[v]).isCloseTo(z[v], within(1e-5f));
    }

    @Test
    void plausibilityMaskDropsTokensTheAlignedModelFindsUnlikely() {
        // pi_A = (0.5, 0.3, 0.2); beta 0.5 keeps tokens with pi_A >= 0.25: token 2 goes.
        double[] za = {Math.log(0.5), Math.log(0.3), Math.log(0.2)};
        double[] zb = {Math.log(0.7), Math.log(0.2), Math.log(0.1)}; // the base likes token 0 more than the aligned
        float[] z = combine(za, zb, 1.0, 0.5);
        assertThat((double) z[0]).isCloseTo(2 * Math.log(0.5) - Math.log(0.7), within(1e-5));
        assertThat((double) z[1]).isCloseTo(2 * Math.log(0.3) - Math.log(0.2), within(1e-5));
        assertThat(z[2]).isEqualTo(ContrastiveStepModel.MASKED);
        // without the mask token 2 keeps its contrast score 2 ln 0.2 - ln 0.1 = ln 0.4
        float[] open = combine(za, zb, 1.0, null);
        assertThat((double) open[2]).isCloseTo(2 * Math.log(0.2) - Math.log(0.1), within(1e-5));
        // beta 0.3 keeps every token here (0.2 >= 0.15)
        float[] loose = combine(za, zb, 1.0, 0.3);
        assertThat(loose[2]).isEqualTo(open[2]);
    }

    private Generator generator(Supplier<StepModel> steps) {
        return new Generator(steps, Set.of(1), 0, null);
    }

    private static final List<int[]> PROMPTS = List.of(new int[] {2, 5, 9, 14}, new int[] {2, 7}, new int[] {2, 33, 8, 21, 40, 11}, new int[] {2, 3, 4});

    @Test
    void alphaZeroIsPlainGreedyGeneration() {
        Transformer aligned = ModelInit.random(TinyModels.llama(), m, 1);
        Transformer base = ModelInit.random(TinyModels.llama(), m, 2);
        GenerationConfig greedy = GenerationConfig.greedy(12).withBatchSize(3);
        List<Generator.Generation> plain = generator(() -> new CachedStepModel(aligned)).generate(PROMPTS, greedy);
        List<Generator.Generation> cd = generator(() -> new ContrastiveStepModel(aligned, base, 0.0, null)).generate(PROMPTS, greedy);
        for (int i = 0; i < PROMPTS.size(); i++) assertThat(cd.get(i).tokens()).as("prompt %d", i).containsExactly(plain.get(i).tokens());
        // and a real contrast does change something on these random models
        List<Generator.Generation> strong = generator(() -> new ContrastiveStepModel(aligned, base, 3.0, null)).generate(PROMPTS, greedy);
        boolean differs = false;
        for (int i = 0; i < PROMPTS.size(); i++) differs |= !java.util.Arrays.equals(strong.get(i).tokens(), plain.get(i).tokens());
        assertThat(differs).isTrue();
    }

    @Test
    void contrastWithItselfIsThePlainModelForAnyAlpha() {
        Transformer aligned = ModelInit.random(TinyModels.llama(), m, 3);
        GenerationConfig greedy = GenerationConfig.greedy(12).withBatchSize(4);
        List<Generator.Generation> plain = generator(() -> new CachedStepModel(aligned)).generate(PROMPTS, greedy);
        for (double alpha : new double[] {0.5, 1.0, 4.0}) {
            List<Generator.Generation> cd = generator(() -> new ContrastiveStepModel(aligned, aligned, alpha, null)).generate(PROMPTS, greedy);
            for (int i = 0; i < PROMPTS.size(); i++) assertThat(cd.get(i).tokens()).as("alpha %s prompt %d", alpha, i).containsExactly(plain.get(i).tokens());
        }
    }

    @Test
    void eachModelKeepsItsOwnCacheInLockStep() {
        Transformer aligned = ModelInit.random(TinyModels.llama(), m, 4);
        Transformer base = ModelInit.random(TinyModels.llama(), m, 5);
        long[] seq = {2, 5, 9, 14, 3, 33, 7};
        NDArray full = ContrastiveStepModel.combine(aligned.forward(m.create(seq, new Shape(1, seq.length)), m.ones(new Shape(1, seq.length)), null),
                base.forward(m.create(seq, new Shape(1, seq.length)), m.ones(new Shape(1, seq.length)), null), 1.0, null);
        try (ContrastiveStepModel cd = new ContrastiveStepModel(aligned, base, 1.0, null)) {
            NDArray first = cd.prefill(m.create(new long[] {2, 5, 9}, new Shape(1, 3)), m.ones(new Shape(1, 3)));
            assertClose(first.toFloatArray(), full.get(":, 2, :").toFloatArray());
            for (int t = 3; t < seq.length; t++) {
                NDArray next = cd.step(m.create(new long[] {seq[t]}, new Shape(1, 1)), m.ones(new Shape(1, t + 1)));
                assertClose(next.toFloatArray(), full.get(":, " + t + ", :").toFloatArray());
            }
        }
    }

    @Test
    void gateContrastsOnlyRowsWithEnoughBaseFavoredMass() {
        // row 0: the base puts most of its mass on token 0, which the aligned model does not favour (m^B about 0.9);
        // row 1: the models nearly agree, the base favours token 0 a little (m^B about 0.09)
        double[][] za = {{0, 0, 3, 0}, {1, 2, 3, 0.5}};
        double[][] zb = {{3, 0, 0, 0}, {1.1, 2, 3, 0.5}};
        float[] flatA = new float[8];
        float[] flatB = new float[8];
        for (int r = 0; r < 2; r++) {
            for (int v = 0; v < 4; v++) {
                flatA[r * 4 + v] = (float) za[r][v];
                flatB[r * 4 + v] = (float) zb[r][v];
            }
        }
        double alpha = 2.0;
        float[] gated;
        float[] everywhere;
        float[] closed;
        try (NDArray z = ContrastiveStepModel.combine(m.create(flatA, new Shape(2, 4)), m.create(flatB, new Shape(2, 4)), alpha, null, 0.5)) {
            gated = z.toFloatArray();
        }
        try (NDArray z = ContrastiveStepModel.combine(m.create(flatA, new Shape(2, 4)), m.create(flatB, new Shape(2, 4)), alpha, null, 0.0)) {
            everywhere = z.toFloatArray();
        }
        try (NDArray z = ContrastiveStepModel.combine(m.create(flatA, new Shape(2, 4)), m.create(flatB, new Shape(2, 4)), alpha, null, 1.0)) {
            closed = z.toFloatArray();
        }
        for (int r = 0; r < 2; r++) {
            double[] la = logSoftmax(za[r]);
            double[] lb = logSoftmax(zb[r]);
            for (int v = 0; v < 4; v++) {
                double eq7 = la[v] + alpha * (la[v] - lb[v]);
                assertThat((double) gated[r * 4 + v]).isCloseTo(r == 0 ? eq7 : la[v], within(1e-5));
                assertThat((double) everywhere[r * 4 + v]).isCloseTo(eq7, within(1e-5)); // every mass is >= 0
                assertThat((double) closed[r * 4 + v]).isCloseTo(la[v], within(1e-5)); // neither mass reaches 1
            }
        }
    }

    private static void assertClose(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) assertThat(a[i]).as("logit %d", i).isCloseTo(b[i], within(1e-3f));
    }

    @Test
    void refusesModelsWithDifferentVocabularies() {
        Transformer a = ModelInit.random(TinyModels.llama(), m, 1);
        Transformer b = ModelInit.random(TinyModels.qwen2Tied(), m, 1);
        assertThatThrownBy(() -> new ContrastiveStepModel(a, b, 1.0, null))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("61").hasMessageContaining("53");
    }

    @Test
    void refusesBadAlphaAndBeta() {
        Transformer a = ModelInit.random(TinyModels.llama(), m, 1);
        assertThatThrownBy(() -> new ContrastiveStepModel(a, a, -1, null)).isInstanceOf(DeepalignException.class).hasMessageContaining("--alpha");
        assertThatThrownBy(() -> new ContrastiveStepModel(a, a, 1, 1.5)).isInstanceOf(DeepalignException.class).hasMessageContaining("--beta");
        assertThatThrownBy(() -> new ContrastiveStepModel(a, a, 1, null, 1.5)).isInstanceOf(DeepalignException.class).hasMessageContaining("--gate");
    }
}
