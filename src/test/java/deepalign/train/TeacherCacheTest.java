package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import deepalign.model.ModelConfig;
import deepalign.model.TinyModels;
import deepalign.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TeacherCacheTest {
    NDManager m;
    Transformer base;
    Transformer aligned;
    List<Sequence> seqs;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        ModelConfig c = TinyModels.llama();
        base = TinyModels.random(c, m, 1);
        aligned = TinyModels.random(c, m, 2);
        scale(base, 40f); // sharper distributions than N(0, 0.02) init gives, so B_t and top-M are not ties
        scale(aligned, 40f);
        seqs = List.of(
                Sequence.promptResponse(new int[] {2, 5, 9}, new int[] {14, 3, 33, 1}),
                Sequence.promptResponse(new int[] {2, 7}, new int[] {21, 40, 1}),
                Sequence.promptResponse(new int[] {2, 8, 8, 11, 30}, new int[] {6, 1}));
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    static void scale(Transformer t, float f) {
        t.param("model.embed_tokens.weight").muli(f);
    }

    /** Full logits of one sequence at its response positions, [T][V], computed alone (no batching). */
    static double[][] logits(Transformer t, Sequence s) {
        int n = s.ids().length - 1;
        long[] in = new long[n];
        for (int i = 0; i < n; i++) in[i] = s.ids()[i];
        try (NDManager local = NDManager.newBaseManager()) {
            NDArray out = t.forward(local.create(in, new Shape(1, n)), local.ones(new Shape(1, n)), null);
            int v = (int) out.getShape().get(2);
            float[] f = out.toFloatArray();
            List<double[]> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (s.weights()[i + 1] == 0) continue;
                double[] r = new double[v];
                for (int j = 0; j < v; j++) r[j] = f[i * v + j];
                rows.add(r);
            }
            return rows.toArray(new double[0][]);
        }
    }

    @Test
    void baseFavoredSetsAndRiskMatchAHandComputation() {
        TeacherCache.Config cfg = new TeacherCache.Config(1.2, 2.0, 8, TeacherCache.Tail.BUCKET, 10, 1e-3, 2);
        TeacherCache cache = TeacherCache.build(base, aligned, seqs, 0, cfg);
        int checkedNonEmpty = 0;
        for (int i = 0; i < seqs.size(); i++) {
            TeacherCache.Entry e = cache.get(i);
            double[][] za = logits(aligned, seqs.get(i));
            double[][] zb = logits(base, seqs.get(i));
            assertThat(e.positions()).isEqualTo(seqs.get(i).responseTokens()).isEqualTo(za.length);
            for (int t = 0; t < e.positions(); t++) {
                double[] la = CompletionLossTest.logSoftmax(za[t], 1);
                double[] lb = CompletionLossTest.logSoftmax(zb[t], 1);
                Integer[] order = IntStream.range(0, la.length).boxed().toArray(Integer[]::new);
                Arrays.sort(order, Comparator.comparingDouble(v -> -(lb[v] - la[v])));
                Set<Integer> want = new TreeSet<>();
                double risk = 0;
                double kl = 0;
                for (int j = 0; j < cfg.k(); j++) {
                    int v = order[j];
                    if (lb[v] - la[v] > 0 && Math.exp(lb[v]) >= cfg.pMin()) {
                        want.add(v);
                        risk += Math.exp(la[v]);
                    }
                }
                for (int v = 0; v < la.length; v++) kl += Math.exp(la[v]) * (la[v] - lb[v]);
                Set<Integer> got = Arrays.stream(e.favored()[t]).boxed().collect(Collectors.toCollection(TreeSet::new));
                assertThat(got).as("B_t of seq %d, t %d", i, t + 1).isEqualTo(want);
                assertThat(e.risk()[t]).isCloseTo((float) risk, within(1e-4f));
                assertThat(e.klAlignedBase()[t]).isCloseTo((float) kl, within(1e-3f));
                for (int q = 0; q < e.favored()[t].length; q++) {
                    assertThat(e.alignedFavored()[t][q]).isCloseTo((float) la[e.favored()[t][q]], within(1e-4f));
                }
                if (!want.isEmpty()) checkedNonEmpty++;
            }
        }
        assertThat(checkedNonEmpty).isPositive();
    }

    @Test
    void keepsTheHybridTeachersTopEntriesAndTheirMass() {
        double lambda = 1.2;
        double tau = 2.0;
        TeacherCache.Config cfg = new TeacherCache.Config(lambda, tau, 5, TeacherCache.Tail.BUCKET, 10, 1e-4, 3);
        TeacherCache cache = TeacherCache.build(base, aligned, seqs, 0, cfg);
        for (int i = 0; i < seqs.size(); i++) {
            TeacherCache.Entry e = cache.get(i);
            double[][] za = logits(aligned, seqs.get(i));
            double[][] zb = logits(base, seqs.get(i));
            for (int t = 0; t < e.positions(); t++) {
                double[] zh = new double[za[t].length];
                for (int v = 0; v < zh.length; v++) zh[v] = lambda * za[t][v] + (1 - lambda) * zb[t][v];
                double[] lh = CompletionLossTest.logSoftmax(zh, tau);
                Integer[] order = IntStream.range(0, lh.length).boxed().toArray(Integer[]::new);
                Arrays.sort(order, Comparator.comparingDouble(v -> -lh[v]));
                double kept = 0;
                for (int q = 0; q < 5; q++) kept += Math.exp(lh[order[q]]);
                for (int q = 0; q < 5; q++) {
                    assertThat(e.topIdx()[t * 5 + q]).isEqualTo(order[q]);
                    assertThat(e.topLogp()[t * 5 + q]).isCloseTo((float) lh[order[q]], within(1e-4f));
                }
                assertThat(e.keptMass()[t]).isCloseTo((float) kept, within(1e-4f));
            }
        }
    }

    @Test
    void keepingTheWholeVocabularyIsTheExactKl() {
        int vocab = base.config().vocabSize();
        TeacherCache cache = TeacherCache.build(base, aligned, seqs, 0, new TeacherCache.Config(1.2, 2.0, vocab + 10, TeacherCache.Tail.BUCKET, 10, 1e-4, 4));
        Transformer student = TinyModels.random(base.config(), m, 3);
        TeacherCache.Entry e = cache.get(0);
        assertThat(e.m()).isEqualTo(vocab);
        double[][] zs = logits(student, seqs.get(0));
        double[][] za = logits(aligned, seqs.get(0));
        double[][] zb = logits(base, seqs.get(0));
        for (int t = 0; t < e.positions(); t++) {
            float[] s = new float[vocab];
            float[] h = new float[vocab];
            for (int v = 0; v < vocab; v++) {
                s[v] = (float) zs[t][v];
                h[v] = (float) (1.2 * za[t][v] - 0.2 * zb[t][v]);
            }
            long[] idx = new long[vocab];
            for (int q = 0; q < vocab; q++) idx[q] = e.topIdx()[t * vocab + q];
            float[] lp = Arrays.copyOfRange(e.topLogp(), t * vocab, (t + 1) * vocab);
            float ours = CompletionLoss.distillKl(m.create(s, new Shape(1, vocab)), m.create(idx, new Shape(1, vocab)),
                    m.create(lp, new Shape(1, vocab)), 2.0, TeacherCache.Tail.BUCKET).getFloat(0);
            float exact = Losses.distillKl(m.create(s, new Shape(1, 1, vocab)), m.create(h, new Shape(1, 1, vocab)), m.ones(new Shape(1, 1)), 2.0)
                    .getFloat();
            assertThat(ours).isCloseTo(exact, within(1e-4f));
        }
    }

    /**
     * With a separate utility weight the harmful examples (the first {@code harmful} sequences) keep the cache of
     * lambda and the others get the cache of lambda_u, entry for entry; B_t and risk do not depend on either.
     */
    @Test
    void aUtilityWeightAppliesToTheUtilityExamplesOnly() {
        TeacherCache.Config one = new TeacherCache.Config(3.0, 2.0, 6, TeacherCache.Tail.BUCKET, 10, 1e-4, 2);
        TeacherCache split = TeacherCache.build(base, aligned, seqs, 0, one.withLambdaUtility(1.0), false, 2);
        TeacherCache harmfulWeight = TeacherCache.build(base, aligned, seqs, 0, one);
        TeacherCache utilityWeight = TeacherCache.build(base, aligned, seqs, 0, one.withLambda(1.0));
        assertThat(one.withLambdaUtility(1.0).lambdaFor(true)).isEqualTo(3.0);
        assertThat(one.withLambdaUtility(1.0).lambdaFor(false)).isEqualTo(1.0);
        // a utility weight other than 1 needs the base even where the harmful weight and the penalty do not
        CompletionConfig plain = CompletionConfig.defaults(null, null, null, null, null).withLoss(CompletionLoss.Config.disabled());
        assertThat(plain.withTeacher(plain.teacher().withLambda(1.0)).teacherNeedsBase()).isFalse();
        assertThat(plain.withTeacher(plain.teacher().withLambda(1.0).withLambdaUtility(2.0)).teacherNeedsBase()).isTrue();
        for (int i = 0; i < seqs.size(); i++) {
            TeacherCache.Entry got = split.get(i);
            TeacherCache.Entry want = (i < 2 ? harmfulWeight : utilityWeight).get(i);
            TeacherCache.Entry other = (i < 2 ? utilityWeight : harmfulWeight).get(i);
            assertThat(got.topLogp()).as("entry %d", i).containsExactly(want.topLogp(), within(1e-5f));
            assertThat(got.topIdx()).isEqualTo(want.topIdx());
            assertThat(Arrays.equals(got.topLogp(), other.topLogp())).isFalse();
            assertThat(got.risk()).containsExactly(harmfulWeight.get(i).risk(), within(1e-6f));
        }
    }

    @Test
    void withoutABaseTheTeacherIsTheAlignedModelAndNoTokenIsFavored() {
        TeacherCache cache = TeacherCache.build(null, aligned, seqs, 0, new TeacherCache.Config(1.2, 1.0, 3, TeacherCache.Tail.BUCKET, 10, 1e-4, 8));
        TeacherCache.Entry e = cache.get(1);
        double[][] za = logits(aligned, seqs.get(1));
        double[] la = CompletionLossTest.logSoftmax(za[0], 1);
        int best = IntStream.range(0, la.length).boxed().max(Comparator.comparingDouble(v -> la[v])).orElseThrow();
        assertThat(e.topIdx()[0]).isEqualTo(best);
        for (int t = 0; t < e.positions(); t++) {
            assertThat(e.favored()[t]).isEmpty();
            assertThat(e.risk()[t]).isZero();
        }
    }

    @Test
    void gradientsReachOnlyTheStudent() {
        TeacherCache cache = TeacherCache.build(base, aligned, seqs, 0, new TeacherCache.Config(1.2, 2.0, 6, TeacherCache.Tail.BUCKET, 10, 1e-4, 8));
        Transformer student = TinyModels.random(base.config(), m, 3);
        student.setRequiresGradient(true);
        CompletionConfig cfg = CompletionConfig.defaults(null, null, null, null, null);
        try (NDManager local = NDManager.newBaseManager(); Batch batch = Batch.of(local, seqs, 0)) {
            CompletionTrainer.TeacherRows rows = CompletionTrainer.TeacherRows.of(local, cache, List.of(0, 1, 2), 2, cfg.loss());
            assertThat(rows.harmfulRows()).isEqualTo(seqs.get(0).responseTokens() + seqs.get(1).responseTokens());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray s = TeacherCache.rowsOf(student.forward(batch.inputs(), batch.mask(), null), TeacherCache.responseRows(batch));
                CompletionLoss.Terms t = rows.loss(s, cfg);
                assertThat(t.comp().getFloat()).isPositive();
                gc.backward(t.total());
            }
            double norm = 0;
            for (NDArray p : student.parameterArrays()) norm += p.getGradient().square().sum().getFloat();
            assertThat(norm).isPositive();
            for (NDArray p : base.parameterArrays()) assertThat(p.hasGradient()).isFalse();
            for (NDArray p : aligned.parameterArrays()) assertThat(p.hasGradient()).isFalse();
            for (NDArray a : List.of(rows.topIdx(), rows.topLogp(), rows.favIdx(), rows.favMask(), rows.alignedFav(), rows.alpha())) {
                assertThat(a.hasGradient()).isFalse();
            }
        }
    }

    @Test
    void aStepSplitIntoShardsHasTheLossAndGradientOfTheWholeBatch() throws Exception {
        TeacherCache cache = TeacherCache.build(base, aligned, seqs, 0, new TeacherCache.Config(1.2, 2.0, 6, TeacherCache.Tail.BUCKET, 10, 1e-4, 8));
        Transformer student = TinyModels.random(base.config(), m, 3);
        student.setRequiresGradient(true);
        CompletionStep step = CompletionStep.cached(student, null, seqs, 0, CompletionConfig.defaults(null, null, null, null, null), cache);
        CompletionStep.Terms whole;
        List<float[]> expected = new ArrayList<>();
        try (AutoCloseable w = deepalign.model.Workers.use(1)) {
            whole = step.run(List.of(0, 1, 2), 2);
        }
        for (NDArray p : student.parameterArrays()) expected.add(p.getGradient().toFloatArray());
        AdamW.zeroGradients(student.parameterArrays());
        CompletionStep.Terms split;
        try (AutoCloseable w = deepalign.model.Workers.use(3)) {
            split = step.run(List.of(0, 1, 2), 2); // one sequence per shard: two harmful shards, one utility shard
        }
        assertThat(split.loss()).isCloseTo(whole.loss(), within(1e-5));
        assertThat(split.kl()).isCloseTo(whole.kl(), within(1e-5));
        assertThat(split.comp()).isCloseTo(whole.comp(), within(1e-5));
        assertThat(split.tokens()).isEqualTo(whole.tokens());
        int i = 0;
        for (NDArray p : student.parameterArrays()) {
            float[] got = p.getGradient().toFloatArray();
            float[] want = expected.get(i++);
            for (int j = 0; j < got.length; j++) assertThat(got[j]).isCloseTo(want[j], within(1e-5f));
        }
        student.setRequiresGradient(false);
    }
}
