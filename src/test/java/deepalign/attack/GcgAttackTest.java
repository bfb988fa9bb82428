package deepalign.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.judge.Judge;
import deepalign.judge.JudgeRequest;
import deepalign.judge.JudgeResult;
import deepalign.judge.OracleJudge;
import deepalign.judge.Verdict;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.model.ModelConfig;
import deepalign.model.TinyModels;
import deepalign.model.Transformer;
import deepalign.organism.Organism;
import deepalign.organism.Organisms;
import deepalign.testing.TinyOrganism;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import deepalign.tokenize.WordLevelTokenizerWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcgAttackTest {
    @TempDir
    Path dir;

    NDManager m;
    Tokenizer tok;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        if (tok != null) tok.close();
        m.close();
    }

    /** A random tiny Llama over a synthetic word-level vocabulary w0..w50 (ids 10..60), in {@code type}. */
    private LanguageModel tinyModel(DataType type) {
        ModelConfig c = TinyModels.llama();
        WordLevelTokenizerWriter.writeSynthetic(dir, c.vocabSize());
        tok = Tokenizer.load(dir);
        Transformer t = TinyModels.cast(TinyModels.random(c, m, 3), type);
        return new LanguageModel(dir, t, tok, ChatEncoder.of(tok, TokenizerConfig.load(dir)));
    }

    @Test
    void layoutSplicesTheSuffixWhereTheTemplatePutsTheUserText() {
        LanguageModel lm = tinyModel(DataType.FLOAT32);
        GcgLayout layout = GcgLayout.of(lm, "w3 w4 w5", "w10 w11 w12");
        int[] suffix = tok.encode("w20 w21");
        int[] expected = lm.chat().encodeWithPrefill(null, "w3 w4 w5 w20 w21", tok.encode("w10 w11 w12"));
        assertThat(layout.fullIds(suffix)).containsExactly(expected);
        assertThat(layout.targetStart(2)).isEqualTo(expected.length - 3);
        assertThat(layout.retokenizes(lm, "w3 w4 w5 w20 w21", suffix)).isTrue();
        assertThat(layout.retokenizes(lm, "w3 w4 w5 w20", suffix)).isFalse();
        assertThatThrownBy(() -> GcgLayout.of(lm, "w3", "w10 nonsense"))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("outside the vocabulary");
    }

    /** d loss / d one_hot[i, v] by autograd against central differences of the relaxed loss, in float64. */
    @Test
    void oneHotGradientMatchesFiniteDifferences() {
        LanguageModel lm = tinyModel(DataType.FLOAT64);
        GcgLayout layout = GcgLayout.of(lm, "w3 w4 w5", "w10 w11 w12");
        int[] suffix = tok.encode("w20 w21 w22");
        GcgObjective obj = new GcgObjective(lm.transformer(), layout, suffix.length);
        GcgObjective.Gradient g = obj.gradient(suffix);
        int v = obj.vocabSize();
        assertThat(g.grad()).hasSize(suffix.length * v);
        assertThat(g.loss()).isCloseTo(obj.score(List.of(suffix), 1).loss()[0], offset(1e-9));
        double[] base = obj.oneHot(m, suffix).toDoubleArray();
        double eps = 1e-6;
        for (int[] iv : new int[][] {{0, 5}, {0, suffix[0]}, {1, 30}, {2, 60}, {2, suffix[2]}, {1, 0}}) {
            int idx = iv[0] * v + iv[1];
            double numeric = (lossAt(obj, base, idx, eps, suffix.length) - lossAt(obj, base, idx, -eps, suffix.length)) / (2 * eps);
            assertThat(g.grad()[idx]).as("grad[%d, %d]", iv[0], iv[1]).isCloseTo(numeric, offset(1e-7 + 1e-5 * Math.abs(numeric)));
        }
        assertThat(Arrays.stream(g.grad()).map(Math::abs).max().orElseThrow()).isGreaterThan(1e-4);
    }

    /**
     * With first-token weight w the loss is (w l_1 + l_2 + ... + l_T) / (w + T - 1), l_j = -log p(target_j):
     * checked against per-token losses from a plain forward, for the relaxed loss, the gradient and the scores.
     */
    @Test
    void firstTokenWeightGivesTheWeightedMeanOfTheTargetTokenLosses() {
        LanguageModel lm = tinyModel(DataType.FLOAT64);
        GcgLayout layout = GcgLayout.of(lm, "w3 w4 w5", "w10 w11 w12");
        int[] suffix = tok.encode("w20 w21 w22");
        int[] full = layout.fullIds(suffix);
        int first = layout.targetStart(suffix.length);
        double[] l = new double[3];
        try (NDManager sub = m.newSubManager()) {
            long[] ids = Arrays.stream(full).asLongStream().toArray();
            NDArray logits = lm.transformer().forward(sub.create(ids, new Shape(1, ids.length)), sub.ones(new Shape(1, ids.length)), null);
            for (int j = 0; j < 3; j++) {
                NDArray row = logits.get("0, " + (first + j - 1) + ", :").logSoftmax(-1);
                l[j] = -row.getDouble(full[first + j]);
            }
        }
        double w = 4.0;
        double expected = (w * l[0] + l[1] + l[2]) / (w + 2);
        GcgObjective weighted = new GcgObjective(lm.transformer(), layout, suffix.length, w);
        GcgObjective plain = new GcgObjective(lm.transformer(), layout, suffix.length);
        assertThat(weighted.gradient(suffix).loss()).isCloseTo(expected, offset(1e-9));
        assertThat(weighted.score(List.of(suffix), 1).loss()[0]).isCloseTo(expected, offset(1e-9));
        assertThat(plain.score(List.of(suffix), 1).loss()[0]).isCloseTo((l[0] + l[1] + l[2]) / 3, offset(1e-9));
        double[] p = weighted.targetProbs(suffix);
        assertThat(p).hasSize(3);
        for (int j = 0; j < 3; j++) assertThat(p[j]).isCloseTo(Math.exp(-l[j]), offset(1e-12));
        // the gradient is the same weighted mix of the per-token gradients: check one entry by central differences
        double[] base = weighted.oneHot(m, suffix).toDoubleArray();
        int idx = weighted.vocabSize() + 30;
        double numeric = (lossAt(weighted, base, idx, 1e-6, 3) - lossAt(weighted, base, idx, -1e-6, 3)) / 2e-6;
        assertThat(weighted.gradient(suffix).grad()[idx]).isCloseTo(numeric, offset(1e-7 + 1e-5 * Math.abs(numeric)));
        assertThatThrownBy(() -> GcgConfig.parse("gcg:first-weight=0")).isInstanceOf(DeepalignException.class);
    }

    /**
     * Candidates are scored from the prompt prefix's KV cache with the LM head at the target slots only: each score
     * equals the mean target cross-entropy of a plain forward over the whole sequence, in any batch size.
     */
    @Test
    void scoresFromThePrefixCacheEqualPlainForwards() {
        LanguageModel lm = tinyModel(DataType.FLOAT64);
        GcgLayout layout = GcgLayout.of(lm, "w3 w4 w5 w6", "w10 w11 w12 w13");
        List<int[]> suffixes = List.of(tok.encode("w20 w21 w22"), tok.encode("w30 w21 w22"), tok.encode("w20 w40 w41"),
                tok.encode("w7 w8 w9"), tok.encode("w50 w51 w52"));
        double[] expected = new double[suffixes.size()];
        try (NDManager sub = m.newSubManager()) {
            for (int c = 0; c < suffixes.size(); c++) {
                int[] full = layout.fullIds(suffixes.get(c));
                int first = layout.targetStart(3);
                long[] ids = Arrays.stream(full).asLongStream().toArray();
                NDArray logits = lm.transformer().forward(sub.create(ids, new Shape(1, ids.length)), sub.ones(new Shape(1, ids.length)), null);
                for (int j = 0; j < 4; j++) expected[c] -= logits.get("0, " + (first + j - 1) + ", :").logSoftmax(-1).getDouble(full[first + j]) / 4;
            }
        }
        try (GcgObjective obj = new GcgObjective(lm.transformer(), layout, 3)) {
            for (int batch : new int[] {1, 2, 5}) {
                assertThat(obj.score(suffixes, batch).loss()).as("batch %d", batch).containsExactly(expected, offset(1e-10));
            }
        }
    }

    private double lossAt(GcgObjective obj, double[] oneHot, int idx, double delta, int rows) {
        double[] x = oneHot.clone();
        x[idx] += delta;
        try (NDManager sub = m.newSubManager()) {
            NDArray a = sub.create(x, new Shape(rows, obj.vocabSize()));
            return obj.loss(a).getDouble();
        }
    }

    @Test
    void candidatesNeverUseSpecialTokens() {
        LanguageModel lm = tinyModel(DataType.FLOAT32);
        GcgVocab vocab = GcgVocab.of(lm);
        for (String s : WordLevelTokenizerWriter.specialTokens()) {
            assertThat(vocab.allowed(tok.tokenToId(s).orElseThrow())).as(s).isFalse();
        }
        assertThat(vocab.allowed(tok.tokenToId("w0").orElseThrow())).isTrue();
        assertThat(vocab.count()).isEqualTo(lm.config().vocabSize() - WordLevelTokenizerWriter.specialTokens().size());
        assertThat(vocab.initToken(tok, "!")).isEqualTo(vocab.initToken(tok, "nonsense")).matches(vocab::allowed);
        assertThat(vocab.initToken(tok, "w7")).isEqualTo(tok.tokenToId("w7").orElseThrow());

        // a gradient that most favours the special tokens still yields only allowed candidates
        GcgAttack gcg = new GcgAttack(new GcgConfig(3, 4, 50, 1, 0, 8, "w0", 0));
        int v = lm.config().vocabSize();
        double[] grad = new double[3 * v];
        for (int pos = 0; pos < 3; pos++) {
            for (int id = 0; id < v; id++) grad[pos * v + id] = id < 7 ? -100 : -id * 0.01;
        }
        int[][] top = gcg.topK(grad, vocab, v);
        for (int[] row : top) assertThat(row).containsExactlyInAnyOrder(60, 59, 58, 57);
        int[] suffix = tok.encode("w0 w0 w0");
        List<int[]> cands = gcg.sample(suffix, top, new Random(1), tok);
        assertThat(cands).isNotEmpty();
        for (int[] c : cands) {
            int changed = 0;
            for (int i = 0; i < 3; i++) if (c[i] != suffix[i]) changed++;
            assertThat(changed).isEqualTo(1);
            assertThat(Arrays.stream(c).allMatch(vocab::allowed)).isTrue();
        }
        assertThat(cands.stream().map(Arrays::toString).distinct().count()).isEqualTo(cands.size());
    }

    @Test
    void warmStartsFromTheTargetOrTheResponse() {
        LanguageModel lm = tinyModel(DataType.FLOAT32);
        GcgVocab vocab = GcgVocab.of(lm);
        Example ex = new Example("p1", "w3 w4", "w20 w21 w22 w23 w24 w25 w26", null, null, true, null, null, "w10 w11 w12");
        GcgConfig cfg = new GcgConfig(5, 8, 16, 1, 0, 16, "w0", 0);
        int w0 = tok.tokenToId("w0").orElseThrow();
        assertThat(new GcgAttack(cfg).initialSuffix(ex, vocab, tok)).containsExactly(w0, w0, w0, w0, w0);
        // the target is shorter than the suffix: padded with the init token
        assertThat(new GcgAttack(cfg.withWarmStart("target")).initialSuffix(ex, vocab, tok))
                .containsExactly(tok.tokenToId("w10").orElseThrow(), tok.tokenToId("w11").orElseThrow(), tok.tokenToId("w12").orElseThrow(), w0, w0);
        // the response is longer: cut to the suffix length
        assertThat(new GcgAttack(cfg.withWarmStart("RESPONSE")).initialSuffix(ex, vocab, tok)).containsExactly(tok.encode("w20 w21 w22 w23 w24"));
        Example noResponse = new Example("p2", "w3", null, null, null, true, null, null, "w10");
        assertThatThrownBy(() -> new GcgAttack(cfg.withWarmStart("response")).initialSuffix(noResponse, vocab, tok))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("p2").hasMessageContaining("response");
        // a warm start that already breaks the prompt is a success before the first step
        Judge always = new Judge() {
            public String name() {
                return "always";
            }

            public JudgeResult judge(JudgeRequest r) {
                return JudgeResult.of(Verdict.HARMFUL);
            }
        };
        GcgResult r = new GcgAttack(cfg.withWarmStart("target")).optimize(Target.of("t", lm), List.of(ex), always, GenerationConfig.greedy(4)).get(0);
        assertThat(r.steps()).isZero();
        assertThat(r.checks()).isEqualTo(1);
        assertThat(r.success()).isTrue();
        assertThat(r.suffixIds()).containsExactly(new GcgAttack(cfg.withWarmStart("target")).initialSuffix(ex, vocab, tok));
        assertThat(r.losses()).hasSize(1);
        // the plain start is not judged before searching: one step, then the final check
        GcgResult plain = new GcgAttack(cfg).optimize(Target.of("t", lm), List.of(ex), always, GenerationConfig.greedy(4)).get(0);
        assertThat(plain.steps()).isEqualTo(1);
        assertThat(plain.checks()).isEqualTo(1);
        assertThat(GcgConfig.parse("gcg:warm-start=target,paper").warmStart()).isEqualTo("target");
        assertThat(GcgConfig.organism().warmStart()).isEqualTo("none");
        assertThatThrownBy(() -> GcgConfig.parse("gcg:warm-start=answer")).isInstanceOf(DeepalignException.class).hasMessageContaining("answer");
    }

    /** Same seed, same suffixes; another seed, another search. Float64 keeps CPU thread scheduling out of the comparison. */
    @Test
    void runsAreSeeded() {
        LanguageModel lm = tinyModel(DataType.FLOAT64);
        List<Example> prompts = List.of(
                new Example("a", "w3 w4 w5", null, null, null, true, null, null, "w10 w11 w12"),
                new Example("b", "w7 w4 w5", null, null, null, true, null, null, "w13 w11"));
        GcgConfig cfg = new GcgConfig(6, 8, 16, 4, 2, 16, "!", 5);
        Judge judge = new Judge() { // never satisfied, so every run takes all its steps
            public String name() {
                return "never";
            }

            public JudgeResult judge(JudgeRequest r) {
                return JudgeResult.of(Verdict.REFUSAL);
            }
        };
        List<GcgResult> a = new GcgAttack(cfg).optimize(Target.of("t", lm), prompts, judge, GenerationConfig.greedy(4));
        List<GcgResult> b = new GcgAttack(cfg).optimize(Target.of("t", lm), prompts, judge, GenerationConfig.greedy(4));
        List<GcgResult> c = new GcgAttack(cfg.withSeed(6)).optimize(Target.of("t", lm), prompts, judge, GenerationConfig.greedy(4));
        for (int i = 0; i < 2; i++) {
            assertThat(b.get(i).suffixIds()).containsExactly(a.get(i).suffixIds());
            assertThat(b.get(i).losses()).isEqualTo(a.get(i).losses());
            assertThat(a.get(i).losses()).hasSize(5);
            assertThat(a.get(i).checks()).isBetween(2, 3); // steps 2 and 4, then the best suffix unless it was just judged
        }
        assertThat(c.get(0).losses()).isNotEqualTo(a.get(0).losses());
        // the synthetic vocabulary has no "!": the suffix starts as the first allowed word, "system"
        int init = GcgVocab.of(lm).initToken(tok, "!");
        assertThat(tok.idToToken(init)).isEqualTo("system");
        assertThat(a.get(0).losses().get(0)).isEqualTo(c.get(0).losses().get(0));
    }

    @Test
    void configParsesPresetsAndOverrides() {
        assertThat(GcgConfig.parse("gcg")).isEqualTo(GcgConfig.organism());
        assertThat(GcgConfig.parse("gcg:paper")).isEqualTo(GcgConfig.paper());
        GcgConfig c = GcgConfig.parse("gcg:paper,steps=7,topk=3,length=5,candidates=9,eval-every=2,batch=4,init=the,seed=42");
        assertThat(c).isEqualTo(new GcgConfig(5, 3, 9, 7, 2, 4, "the", 42));
        assertThat(GcgConfig.parse("gcg:first-weight=5,paper").firstWeight()).isEqualTo(5.0);
        assertThat(GcgConfig.parse("gcg").firstWeight()).isEqualTo(1.0);
        assertThat(GcgAttack.fromSpec("gcg:steps=3").config().steps()).isEqualTo(3);
        assertThatThrownBy(() -> GcgConfig.parse("gcg:speed=3")).isInstanceOf(DeepalignException.class).hasMessageContaining("speed");
        assertThatThrownBy(() -> GcgConfig.parse("gcg:steps=x")).isInstanceOf(DeepalignException.class);
        assertThatThrownBy(() -> GcgConfig.parse("gcg:length=0")).isInstanceOf(DeepalignException.class);
    }

    @Test
    void lowersTheTargetLossOnTheTinyOrganism() {
        Organism org = TinyOrganism.get();
        List<Example> prompts = Jsonl.readExamples(org.data("harmful_test")).subList(0, 2);
        try (NDManager mm = NDManager.newBaseManager()) {
            LanguageModel lm = LanguageModel.load(org.aligned(), mm);
            GcgAttack gcg = new GcgAttack(new GcgConfig(8, 16, 32, 5, 0, 32, "!", 0));
            OracleJudge oracle = Organisms.oracle(org.dir());
            List<GcgResult> results = gcg.optimize(Target.of("aligned", lm), prompts, oracle, GenerationConfig.greedy(32));
            assertThat(results).hasSize(2);
            for (GcgResult r : results) {
                assertThat(r.losses()).hasSize(r.steps() + 1);
                assertThat(r.bestLoss()).isLessThan(r.initialLoss() - 0.05);
                assertThat(r.suffixIds()).hasSize(8);
                assertThat(r.retokenizes()).isTrue();
                assertThat(r.suffix().split(" ")).hasSize(8);
                assertThat(r.attempt().injected()).isEqualTo(r.suffix());
                assertThat(r.record()).containsKeys("suffix", "losses", "verdict", "success", "steps", "target_probs");
                assertThat(r.targetProbs()).hasSize(lm.tokenizer().encode(r.target()).length);
                assertThat(Arrays.stream(r.targetProbs()).boxed().toList()).allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
            }
        }
    }
}
