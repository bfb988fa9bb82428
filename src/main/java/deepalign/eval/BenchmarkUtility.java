package deepalign.eval;

import deepalign.DeepalignException;
import deepalign.data.Arc;
import deepalign.data.Example;
import deepalign.data.Gsm8k;
import deepalign.data.Mmlu;
import deepalign.data.Prompts;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.train.Sequence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The standard utility benchmarks in lm-evaluation-harness's formats: plain text, no chat template, so numbers
 * are comparable with published ones.
 * <ul>
 *   <li><b>mmlu</b>: k-shot prompts from the dev split, options " A".." D" scored by log-likelihood; acc and acc_norm.</li>
 *   <li><b>arc</b>: "Question: ..\nAnswer:", each option text as the continuation; acc and acc_norm
 *       (log-likelihood divided by the option's length in characters, the leading space not counted).</li>
 *   <li><b>gsm8k</b>: k-shot "Question: ..\nAnswer: .." prompts, greedy generation up to "Question:"; strict-match and
 *       flexible-extract filters and exact_match exactly as the harness's gsm8k task ({@link LmEvalGsm8k}).</li>
 * </ul>
 * Few-shot exemplars of ARC and GSM8K come from the sibling train file (the data file's name with "test" replaced by
 * "train", e.g. {@code gsm8k/train.jsonl}) when it exists; otherwise the first k items of the data file serve as
 * exemplars and are left out of the evaluation. {@code limit} caps the questions per task (per subject for MMLU,
 * as the harness's {@code --limit} does per subtask).
 */
public final class BenchmarkUtility {
    public static final List<String> TASKS = List.of("mmlu", "arc", "gsm8k");

    /**
     * @param metrics acc and acc_norm (mmlu, arc) or strict_match and flexible_extract (gsm8k), in [0, 1]
     * @param shotsSource where the few-shot exemplars came from
     */
    public record Result(String task, int n, int shots, String shotsSource, Map<String, Double> metrics, List<Map<String, Object>> records) {}

    /**
     * Rows per log-likelihood forward pass, generation length for GSM8K, and whether prompts start with bos. The
     * harness encodes causal models' text without special tokens unless told {@code add_bos_token=True}, so bos is
     * off by default here too (Llama-2-style models often score higher with it: say which you used).
     */
    public record Options(int batchSize, int maxNewTokens, boolean addBos) {
        public Options(int batchSize, int maxNewTokens) {
            this(batchSize, maxNewTokens, false);
        }

        public static Options defaults() {
            return new Options(8, 256, false);
        }

        public Options withAddBos(boolean v) {
            return new Options(batchSize, maxNewTokens, v);
        }
    }

    private BenchmarkUtility() {}

    /** The command's one-liner: {@code task} is mmlu, arc or gsm8k; {@code limit <= 0} means all questions. */
    public static Result run(LanguageModel model, String task, Path data, int shots, int limit) {
        return run(model, task, data, shots, limit, Options.defaults());
    }

    public static Result run(LanguageModel model, String task, Path data, int shots, int limit, Options opt) {
        if (shots < 0) throw new DeepalignException("--shots must be >= 0, got " + shots);
        if (!Files.exists(data)) throw new DeepalignException("benchmark data " + data + " does not exist");
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "mmlu" -> mmlu(model, data, shots, limit, opt);
            case "arc" -> arc(model, data, shots, limit, opt);
            case "gsm8k" -> gsm8k(model, data, shots, limit, opt);
            default -> throw new DeepalignException("unknown benchmark task '" + task + "'; use one of " + TASKS);
        };
    }

    /** {@code data} is the MMLU folder holding test/ and dev/, or the test folder itself (dev/ beside it). */
    static Result mmlu(LanguageModel model, Path data, int shots, int limit, Options opt) {
        Path test = Files.isDirectory(data.resolve("test")) ? data.resolve("test") : data;
        Path dev = test.resolveSibling("dev");
        if (shots > 0 && !Files.isDirectory(dev)) {
            throw new DeepalignException(shots + "-shot MMLU needs the dev folder " + dev + " (or pass --shots 0)");
        }
        List<Prompts.McPrompt> prompts = new ArrayList<>();
        for (Map.Entry<String, List<Example>> e : Mmlu.loadDir(test).entrySet()) {
            List<Example> shotList = shots > 0 ? Mmlu.shots(dev, e.getKey(), shots) : List.of();
            for (Example q : cap(e.getValue(), limit)) prompts.add(Prompts.mmlu(e.getKey(), shotList, q));
        }
        return scoreChoices(model, "mmlu", prompts, shots, shots > 0 ? dev.toString() : "none", opt);
    }

    static Result arc(LanguageModel model, Path data, int shots, int limit, Options opt) {
        Shots<Example> s = shots(Arc.load(data), data, shots, Arc::load);
        List<Prompts.McPrompt> prompts = new ArrayList<>();
        for (Example q : cap(s.eval(), limit)) prompts.add(Prompts.arc(s.exemplars(), q));
        return scoreChoices(model, "arc", prompts, shots, s.source(), opt);
    }

    static Result gsm8k(LanguageModel model, Path data, int shots, int limit, Options opt) {
        Shots<Example> s = shots(Gsm8k.load(data), data, shots, Gsm8k::load);
        List<Example> eval = cap(s.eval(), limit);
        List<int[]> inputs = new ArrayList<>();
        for (Example q : eval) inputs.add(encode(model, Prompts.gsm8k(s.exemplars(), q), opt));
        GenerationConfig gen = GenerationConfig.greedy(opt.maxNewTokens()).withStopStrings(Prompts.GSM8K_STOP).withBatchSize(opt.batchSize());
        List<String> responses = new ArrayList<>();
        for (Generator.Generation g : model.generator().generate(inputs, gen)) responses.add(cutAtStop(model.decode(g.tokens())));
        return scoreGsm8k(eval, responses, shots, s.source());
    }

    /**
     * GSM8K scores of given responses as lm-evaluation-harness computes them ({@link LmEvalGsm8k}): strict-match and
     * flexible-extract, each by exact_match against the gold answer text (the full worked answer when the data has it).
     */
    public static Result scoreGsm8k(List<Example> data, List<String> responses, int shots, String shotsSource) {
        if (data.size() != responses.size()) throw new IllegalArgumentException(data.size() + " questions but " + responses.size() + " responses");
        int strict = 0;
        int flexible = 0;
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Example ex = data.get(i);
            String resp = responses.get(i);
            String gold = ex.response() != null && ex.response().contains("####") ? ex.response() : ex.answer();
            String s = LmEvalGsm8k.strictMatch(resp);
            String f = LmEvalGsm8k.flexibleExtract(resp);
            boolean okStrict = LmEvalGsm8k.exactMatch(s, gold);
            boolean okFlexible = LmEvalGsm8k.exactMatch(f, gold);
            if (okStrict) strict++;
            if (okFlexible) flexible++;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", ex.id());
            r.put("question", ex.prompt());
            r.put("response", resp);
            r.put("answer", ex.answer());
            r.put("strict", s);
            r.put("flexible", f);
            r.put("strict_correct", okStrict);
            r.put("flexible_correct", okFlexible);
            records.add(r);
        }
        int n = data.size();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("strict_match", n == 0 ? 0 : (double) strict / n);
        metrics.put("flexible_extract", n == 0 ? 0 : (double) flexible / n);
        return new Result("gsm8k", n, shots, shotsSource, metrics, records);
    }

    /**
     * Scores each option by log p(continuation | context), with the context encoded as plain text ({@link #encode}).
     * As in the harness, the continuation's tokens are those the whole text has beyond the context's, so a space
     * that merges into the first option token is scored with the option.
     */
    static Result scoreChoices(LanguageModel model, String task, List<Prompts.McPrompt> prompts, int shots, String shotsSource, Options opt) {
        List<Sequence> seqs = new ArrayList<>();
        for (Prompts.McPrompt p : prompts) {
            int[] ctx = encode(model, p.context(), opt);
            for (String c : p.continuations()) seqs.add(Sequence.promptResponse(ctx, continuation(model, p.context(), ctx, c, opt)));
        }
        double[] ll = UtilityEval.sequenceLogProbs(model, seqs, opt.batchSize());
        int acc = 0;
        int accNorm = 0;
        int k = 0;
        List<Map<String, Object>> records = new ArrayList<>();
        for (Prompts.McPrompt p : prompts) {
            double[] scores = Arrays.copyOfRange(ll, k, k + p.continuations().size());
            k += scores.length;
            int best = 0;
            for (int c = 1; c < scores.length; c++) if (scores[c] > scores[best]) best = c;
            int bestNorm = predictNorm(scores, p.choices());
            if (best == p.gold()) acc++;
            if (bestNorm == p.gold()) accNorm++;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", p.id());
            r.put("gold", p.gold());
            r.put("predicted", best);
            r.put("predicted_norm", bestNorm);
            r.put("loglik", scores);
            records.add(r);
        }
        int n = prompts.size();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("acc", n == 0 ? 0 : (double) acc / n);
        metrics.put("acc_norm", n == 0 ? 0 : (double) accNorm / n);
        return new Result(task, n, shots, shotsSource, metrics, records);
    }

    /**
     * acc_norm's choice: the highest log-likelihood per character of the choice (the harness's
     * {@code lls / [len(c) for c in doc_to_choice(doc)]}, delimiter not counted; first of ties, like argmax).
     */
    static int predictNorm(double[] scores, List<String> choices) {
        int best = 0;
        for (int c = 1; c < scores.length; c++) {
            if (scores[c] / choices.get(c).length() > scores[best] / choices.get(best).length()) best = c;
        }
        return best;
    }

    /** Plain text as the harness encodes it: no special tokens, bos in front only when {@code opt.addBos()}. */
    static int[] encode(LanguageModel model, String text, Options opt) {
        int[] ids = model.tokenizer().encode(text);
        return opt.addBos() ? model.chat().withBos(ids) : ids;
    }

    /**
     * Continuation ids as the harness's {@code _encode_pair} takes them: encode(context + continuation) beyond the
     * context's length; the continuation alone only if the whole is not longer than the context.
     */
    static int[] continuation(LanguageModel model, String context, int[] ctxIds, String cont, Options opt) {
        int[] whole = encode(model, context + cont, opt);
        if (whole.length > ctxIds.length) return Arrays.copyOfRange(whole, ctxIds.length, whole.length);
        int[] alone = model.tokenizer().encode(cont);
        if (alone.length == 0) throw new DeepalignException("the answer option '" + cont + "' encodes to no tokens");
        return alone;
    }

    /** Generated text up to the first stop string (the generator stops after the token that completes it). */
    static String cutAtStop(String text) {
        int cut = text.length();
        for (String s : Prompts.GSM8K_STOP) {
            int at = text.indexOf(s);
            if (at >= 0) cut = Math.min(cut, at);
        }
        return text.substring(0, cut);
    }

    private record Shots<T>(List<T> exemplars, List<T> eval, String source) {}

    private static Shots<Example> shots(List<Example> all, Path data, int k, java.util.function.Function<Path, List<Example>> loader) {
        if (k == 0) return new Shots<>(List.of(), all, "none");
        Path train = trainSibling(data);
        if (train != null) {
            List<Example> ex = loader.apply(train);
            return new Shots<>(ex.subList(0, Math.min(k, ex.size())), all, train.toString());
        }
        if (k >= all.size()) throw new DeepalignException(data + " has " + all.size() + " items, too few for " + k + " exemplars plus questions");
        return new Shots<>(all.subList(0, k), all.subList(k, all.size()), data + " (first " + k + ", not evaluated)");
    }

    /** {@code test.jsonl -> train.jsonl}, {@code ARC-Challenge-Test.jsonl -> ARC-Challenge-Train.jsonl}; null if absent. */
    static Path trainSibling(Path data) {
        String name = data.getFileName().toString();
        String swapped = name.replace("test", "train").replace("Test", "Train").replace("TEST", "TRAIN");
        if (swapped.equals(name)) return null;
        Path p = data.resolveSibling(swapped);
        return Files.isRegularFile(p) ? p : null;
    }

    private static <T> List<T> cap(List<T> items, int limit) {
        return limit > 0 && items.size() > limit ? items.subList(0, limit) : items;
    }
}
