package deepalign.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.data.Gsm8k;
import deepalign.data.Mmlu;
import deepalign.data.Prompts;
import deepalign.model.LanguageModel;
import deepalign.model.ModelConfig;
import deepalign.model.ModelInit;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import deepalign.tokenize.WordLevelTokenizerWriter;
import deepalign.train.Losses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkUtilityTest {
    @TempDir
    Path tmp;

    NDManager m;
    Tokenizer tok;
    LanguageModel lm;

    private static final List<String> WORDS = List.of("The", "following", "are", "multiple", "choice", "questions", "(with",
            "answers)", "about", "algebra.", "Answer:", "Question:", "A", "B", "C", "D", "A.", "B.", "C.", "D.", "what", "is",
            "two", "plus", "three", "?", "red", "blue", "green", "sky", "color", "4", "5", "6", "####", "so", "the", "answer", "1", "2", "3");

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        Path dir = tmp.resolve("model");
        WordLevelTokenizerWriter.write(dir, WORDS);
        tok = Tokenizer.load(dir);
        ModelConfig c = ModelConfig.builder(ModelConfig.Arch.LLAMA, tok.vocabSize(), 32, 48, 2, 4, 2)
                .eosTokenIds(List.of(tok.tokenToId(WordLevelTokenizerWriter.EOT).orElseThrow()))
                .bosTokenId(tok.tokenToId(WordLevelTokenizerWriter.BOS).orElseThrow())
                .build();
        lm = new LanguageModel(dir, ModelInit.random(c, m, 5), tok, ChatEncoder.of(tok, TokenizerConfig.load(dir)));
    }

    @AfterEach
    void tearDown() {
        tok.close();
        m.close();
    }

    private Path mmluDir() throws Exception {
        Path root = tmp.resolve("mmlu");
        Files.createDirectories(root.resolve("test"));
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("test/abstract_algebra_test.csv"),
                "what is two plus three ?,4,5,6,3,B\nwhat is two plus two ?,4,5,6,3,A\nwhat is one plus two ?,4,5,6,3,D\n");
        Files.writeString(root.resolve("dev/abstract_algebra_dev.csv"), "what is two plus one ?,4,5,6,3,D\nwhat is three plus three ?,4,5,6,3,C\n");
        return root;
    }

    /** log p(continuation | context) by hand: plain text without special tokens, as the harness encodes it by default. */
    private double directLogLik(String context, String continuation) {
        return directLogLik(context, continuation, false);
    }

    /** The same with bos in front (lm-evaluation-harness's add_bos_token=True, deepalign's --add-bos). */
    private double directLogLik(String context, String continuation, boolean bos) {
        int bosId = tok.tokenToId(WordLevelTokenizerWriter.BOS).orElseThrow();
        int[] ctx = withBos(tok.encode(context), bos, bosId);
        int[] whole = withBos(tok.encode(context + continuation), bos, bosId);
        assertThat(whole[0] == bosId).isEqualTo(bos);
        assertThat(whole).doesNotContain(tok.tokenToId(WordLevelTokenizerWriter.START_HEADER).orElseThrow());
        long[] in = Arrays.stream(whole).limit(whole.length - 1).mapToLong(i -> i).toArray();
        long[] tg = Arrays.stream(whole).skip(1).mapToLong(i -> i).toArray();
        try (NDManager s = m.newSubManager()) {
            NDArray logits = lm.transformer().forward(s.create(in, new Shape(1, in.length)), s.ones(new Shape(1, in.length)), null);
            float[] lp = Losses.targetLogProbs(logits, s.create(tg, new Shape(1, tg.length))).toFloatArray();
            double sum = 0;
            for (int i = ctx.length - 1; i < lp.length; i++) sum += lp[i];
            return sum;
        }
    }

    private static int[] withBos(int[] ids, boolean bos, int bosId) {
        if (!bos) return ids;
        int[] out = new int[ids.length + 1];
        out[0] = bosId;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Test
    void addBosPutsBosInFrontOfEveryPrompt() throws Exception {
        Path root = mmluDir();
        BenchmarkUtility.Result r = BenchmarkUtility.run(lm, "mmlu", root, 2, 1, BenchmarkUtility.Options.defaults().withAddBos(true));
        Example q = Mmlu.loadDir(root.resolve("test")).values().iterator().next().get(0);
        Prompts.McPrompt p = Prompts.mmlu("abstract_algebra", Mmlu.shots(root.resolve("dev"), "abstract_algebra", 2), q);
        double[] ll = (double[]) r.records().get(0).get("loglik");
        for (int c = 0; c < 4; c++) {
            assertThat(ll[c]).isCloseTo(directLogLik(p.context(), p.continuations().get(c), true), offset(1e-4));
            assertThat(ll[c]).isNotCloseTo(directLogLik(p.context(), p.continuations().get(c), false), offset(1e-6));
        }
    }

    @Test
    void mmluScoresLettersByLogLikelihoodOfPlainTextPrompts() throws Exception {
        Path root = mmluDir();
        BenchmarkUtility.Result r = BenchmarkUtility.run(lm, "mmlu", root, 2, 2);
        assertThat(r.task()).isEqualTo("mmlu");
        assertThat(r.n()).isEqualTo(2); // the limit applies per subject
        assertThat(r.shotsSource()).endsWith("dev");
        Example q = deepalign.data.Mmlu.loadSubject(root.resolve("test/abstract_algebra_test.csv")).get(0);
        Prompts.McPrompt p = Prompts.mmlu("abstract_algebra", deepalign.data.Mmlu.shots(root.resolve("dev"), "abstract_algebra", 2), q);
        assertThat(p.context()).contains("what is two plus one ?\nA. 4").endsWith("Answer:");
        double[] ll = (double[]) r.records().get(0).get("loglik");
        for (int c = 0; c < 4; c++) assertThat(ll[c]).isCloseTo(directLogLik(p.context(), p.continuations().get(c)), offset(1e-4));
        assertMetricsMatchRecords(r);
        // the test folder itself works too (dev/ beside it), and 0-shot needs no dev folder
        assertThat(BenchmarkUtility.run(lm, "mmlu", root.resolve("test"), 1, 0).n()).isEqualTo(3);
        Files.delete(root.resolve("dev/abstract_algebra_dev.csv"));
        Files.delete(root.resolve("dev"));
        assertThat(BenchmarkUtility.run(lm, "mmlu", root, 0, 0).shotsSource()).isEqualTo("none");
        assertThatThrownBy(() -> BenchmarkUtility.run(lm, "mmlu", root, 5, 0)).isInstanceOf(DeepalignException.class).hasMessageContaining("dev");
    }

    private static void assertMetricsMatchRecords(BenchmarkUtility.Result r) {
        long acc = r.records().stream().filter(x -> x.get("predicted").equals(x.get("gold"))).count();
        long accNorm = r.records().stream().filter(x -> x.get("predicted_norm").equals(x.get("gold"))).count();
        assertThat(r.metrics().get("acc")).isEqualTo((double) acc / r.n());
        assertThat(r.metrics().get("acc_norm")).isEqualTo((double) accNorm / r.n());
        for (Map<String, Object> x : r.records()) {
            double[] ll = (double[]) x.get("loglik");
            int best = 0;
            for (int c = 1; c < ll.length; c++) if (ll[c] > ll[best]) best = c;
            assertThat(x.get("predicted")).isEqualTo(best);
        }
    }

    @Test
    void accNormCountsTheChoiceNotTheDelimiter() {
        // -3.0 over "ab" against -4.4 over "abc": per character -1.5 < -1.467, so the harness picks "abc";
        // counting the leading space (-1.0 against -1.1) would pick "ab"
        assertThat(BenchmarkUtility.predictNorm(new double[] {-3.0, -4.4}, List.of("ab", "abc"))).isEqualTo(1);
        assertThat(BenchmarkUtility.predictNorm(new double[] {-2.0, -2.0}, List.of("ab", "ab"))).isZero(); // first of ties
    }

    @Test
    void arcScoresOptionTextsAndNormalisesByCharacters() throws Exception {
        Path arc = tmp.resolve("ARC-Challenge-Test.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            lines.add("{\"id\":\"q" + i + "\",\"question\":{\"stem\":\"what color is the sky ?\",\"choices\":[{\"label\":\"A\",\"text\":\"red\"},"
                    + "{\"label\":\"B\",\"text\":\"blue blue\"},{\"label\":\"C\",\"text\":\"green\"}]},\"answerKey\":\"" + "ABC".charAt(i % 3) + "\"}");
        }
        Files.write(arc, lines);
        BenchmarkUtility.Result r = BenchmarkUtility.run(lm, "arc", arc, 1, 0);
        assertThat(r.n()).isEqualTo(3); // no train file: the first item is the exemplar and is not evaluated
        assertThat(r.shotsSource()).contains("first 1");
        assertThat(r.records().get(0).get("id")).isEqualTo("q1");
        Example shot = deepalign.data.Arc.load(arc).get(0);
        Prompts.McPrompt p = Prompts.arc(List.of(shot), deepalign.data.Arc.load(arc).get(1));
        double[] ll = (double[]) r.records().get(0).get("loglik");
        for (int c = 0; c < 3; c++) assertThat(ll[c]).isCloseTo(directLogLik(p.context(), p.continuations().get(c)), offset(1e-4));
        assertMetricsMatchRecords(r);
        for (Map<String, Object> x : r.records()) {
            double[] l = (double[]) x.get("loglik");
            // the harness: lls / [len(c) for c in doc_to_choice(doc)], the option text without its leading space
            double[] norm = {l[0] / "red".length(), l[1] / "blue blue".length(), l[2] / "green".length()};
            int best = 0;
            for (int c = 1; c < 3; c++) if (norm[c] > norm[best]) best = c;
            assertThat(x.get("predicted_norm")).isEqualTo(best);
        }
        // with a train file beside it, exemplars come from there and every test item is scored
        Files.write(tmp.resolve("ARC-Challenge-Train.jsonl"), lines.subList(0, 1));
        BenchmarkUtility.Result withTrain = BenchmarkUtility.run(lm, "arc", arc, 1, 2);
        assertThat(withTrain.n()).isEqualTo(2);
        assertThat(withTrain.shotsSource()).endsWith("ARC-Challenge-Train.jsonl");
    }

    @Test
    void gsm8kGeneratesAndScoresStrictAndFlexible() throws Exception {
        Path file = tmp.resolve("test.jsonl");
        Files.write(file, List.of(
                "{\"question\":\"what is two plus three ?\",\"answer\":\"2 + 3 = <<2+3=5>>5 so the answer is 5\\n#### 5\"}",
                "{\"question\":\"what is two plus two ?\",\"answer\":\"#### 4\"}",
                "{\"question\":\"what is three plus three ?\",\"answer\":\"#### 6\"}"));
        BenchmarkUtility.Result r = BenchmarkUtility.run(lm, "gsm8k", file, 1, 0, new BenchmarkUtility.Options(2, 6));
        assertThat(r.n()).isEqualTo(2);
        assertThat(r.metrics()).containsOnlyKeys("strict_match", "flexible_extract");
        for (Map<String, Object> x : r.records()) {
            assertThat(((String) x.get("response")).split(" ").length).isLessThanOrEqualTo(7);
            assertThat((String) x.get("response")).doesNotContain("Question:");
        }
        List<Example> data = Gsm8k.load(file);
        BenchmarkUtility.Result scored = BenchmarkUtility.scoreGsm8k(data,
                List.of(" 2 + 3 = 5 #### 5", " the answer is 4 , not 3", " #### 7 then 6"), 0, "none");
        assertThat(scored.metrics().get("strict_match")).isCloseTo(1 / 3.0, offset(1e-12));
        assertThat(scored.metrics().get("flexible_extract")).isCloseTo(2 / 3.0, offset(1e-12)); // 5 and 6; "4 , not 3" ends in 3
        assertThat(BenchmarkUtility.cutAtStop(" 5 #### 5\n\nQuestion: next")).isEqualTo(" 5 #### 5\n\n");
        assertThatThrownBy(() -> BenchmarkUtility.run(lm, "hellaswag", file, 0, 0)).isInstanceOf(DeepalignException.class);
    }

    /** On the real GSM8K test file, responding with each gold worked answer scores 100% strict and flexible. */
    @Test
    void perfectResponderScoresFullMarksOnRealGsm8k() {
        String env = System.getenv("DEEPALIGN_SHARED_DATA");
        Path file = (env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared", "data")).resolve("gsm8k/test.jsonl");
        Assumptions.assumeTrue(Files.isRegularFile(file), "skipped: " + file + " is absent (the shared datasets are not next to this checkout)");
        List<Example> data = Gsm8k.load(file);
        List<String> responses = data.stream().map(e -> " " + Gsm8k.stripCalculator(e.response())).toList();
        BenchmarkUtility.Result r = BenchmarkUtility.scoreGsm8k(data, responses, 0, "none");
        assertThat(r.n()).isEqualTo(data.size()).isGreaterThan(1000);
        assertThat(r.metrics().get("strict_match")).isEqualTo(1.0);
        assertThat(r.metrics().get("flexible_extract")).isEqualTo(1.0);
    }
}
