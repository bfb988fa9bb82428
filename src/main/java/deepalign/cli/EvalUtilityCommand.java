package deepalign.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.attack.Target;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.eval.BenchmarkUtility;
import deepalign.eval.TargetUtilityEval;
import deepalign.eval.UtilityEval;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.report.JsonOut;
import deepalign.report.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepalign eval utility}: multiple choice by option log-likelihood, or math by greedy generation,
 * optionally through a decoding defense; or re-scoring of saved math generations ({@code --responses}).
 */
@Command(name = "utility", mixinStandardHelpOptions = true,
        description = "Measure utility: multiple-choice accuracy (log-likelihood) or math accuracy (generation).")
public final class EvalUtilityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    EvalDefenseOptions defense = new EvalDefenseOptions();

    @Option(names = "--task", required = true, paramLabel = "TASK",
            description = {"mc or math: deepalign JSONL (the organism's splits; chat template, option log-likelihood / generated answer).",
                "mmlu, arc or gsm8k: the benchmarks' own files (MMLU CSV dir with dev/ and test/, ARC-Challenge JSONL, GSM8K JSONL), "
                + "plain-text few-shot prompts scored as lm-evaluation-harness does. With --responses, gsm8k and math re-score saved generations."})
    String task;

    @Option(names = "--shots", paramLabel = "K", description = "Few-shot exemplars for mmlu/arc/gsm8k (default: mmlu 5, arc 0, gsm8k 5).")
    Integer shots;

    @Option(names = "--data", paramLabel = "FILE.jsonl",
            description = "Questions (deepalign JSONL; mc: choices and answer index, math: answer). Default: the organism's utility_mc_test / utility_math_test.")
    Path data;

    @Option(names = "--responses", paramLabel = "FILE",
            description = "Re-score saved generations instead of running a model: JSONL records (or a JSON \"records\" array) with question, "
                    + "response and answer. --task gsm8k scores them as lm-evaluation-harness does (strict_match, flexible_extract), --task math by deepalign's rule.")
    Path responses;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Where to write the summary and per-question records (required unless --responses).")
    Path out;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N questions.")
    Integer limit;

    @Option(names = "--max-new-tokens", defaultValue = "128", paramLabel = "N", description = "Math answer budget (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--add-bos", description = "mmlu, arc, gsm8k: start each prompt with bos, as lm-evaluation-harness's add_bos_token=True "
            + "(its default, and this one's, is plain text without special tokens).")
    boolean addBos;

    @Override
    public Integer call() {
        String lower = task.toLowerCase(Locale.ROOT);
        if (responses == null && (lower.equals("mmlu") || lower.equals("arc") || lower.equals("gsm8k"))) return benchmark(lower);
        String t = switch (lower) {
            case "mc" -> "mc";
            case "math", "gsm8k" -> "math";
            default -> throw new DeepalignException("unknown --task '" + task + "'; choose mc, math or gsm8k.");
        };
        EvalSupport.checkPositive("--batch", batch);
        if (responses != null) return lower.equals("gsm8k") ? rescoreGsm8k() : rescore(t);
        if (out == null) throw new DeepalignException("--out FILE.json is required (only --responses re-scoring may go without it).");
        if (maxNewTokens < 1) throw new DeepalignException("--max-new-tokens must be at least 1, got " + maxNewTokens + ".");
        String defenseName = defense.name();
        Path dataFile = EvalSupport.dataFile(data, model, t.equals("mc") ? "utility_mc_test" : "utility_math_test");
        List<Example> items = EvalSupport.readExamples(dataFile, limit);

        UtilityEval.Result result;
        String defenseLabel;
        try (NDManager manager = NDManager.newBaseManager();
                LanguageModel lm = model.load(manager)) {
            Target target = defense.target(lm, model, manager);
            defenseLabel = defenseName.equals("none") ? "none" : target.name();
            if (t.equals("mc")) {
                result = defenseName.equals("none") ? UtilityEval.multipleChoice(lm, items, batch) : TargetUtilityEval.multipleChoice(target, items, batch);
            } else {
                GenerationConfig gen = new GenerationConfig(maxNewTokens, 0, 0, 1, 0, List.of(), batch);
                result = TargetUtilityEval.math(target, items, gen);
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model.modelDir().toString());
        doc.put("task", t);
        doc.put("defense", defenseLabel);
        doc.put("data", dataFile.toString());
        doc.put("summary", summary(result));
        doc.put("records", result.records());
        JsonOut.writeAtomic(out, doc);
        EvalSupport.print(spec, table(result, model.modelDir() + " (defense: " + defenseLabel + ")").render());
        return 0;
    }

    /** MMLU / ARC / GSM8K in their own formats, scored as lm-evaluation-harness does (BenchmarkUtility). */
    private int benchmark(String t) {
        if (data == null) throw new DeepalignException("--task " + t + " needs --data PATH (the benchmark's file or folder).");
        if (out == null) throw new DeepalignException("--out FILE.json is required.");
        int k = shots != null ? shots : (t.equals("arc") ? 0 : 5);
        BenchmarkUtility.Result r;
        try (NDManager manager = NDManager.newBaseManager();
                LanguageModel lm = model.load(manager)) {
            r = BenchmarkUtility.run(lm, t, data, k, limit == null ? 0 : limit,
                    BenchmarkUtility.Options.defaults().withAddBos(addBos));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model.modelDir().toString());
        doc.put("task", t);
        doc.put("data", data.toString());
        doc.put("shots", r.shots());
        doc.put("shots_source", r.shotsSource());
        doc.put("add_bos", addBos);
        doc.put("summary", r.metrics());
        doc.put("n", r.n());
        doc.put("records", r.records());
        JsonOut.writeAtomic(out, doc);
        printMetrics(r, model.modelDir().toString());
        return 0;
    }

    /** A benchmark result's metrics as the table both a live run and a re-scoring print. */
    private void printMetrics(BenchmarkUtility.Result r, String source) {
        Table table = Table.of("task", "n", "metric", "value").title("eval utility: " + source);
        for (var e : r.metrics().entrySet()) table.row(r.task(), r.n(), e.getKey(), Table.pct(e.getValue()));
        EvalSupport.print(spec, table.render());
    }

    /** {@code --task gsm8k --responses}: the live gsm8k run's scores (lm-evaluation-harness's filters), on saved text. */
    private int rescoreGsm8k() {
        List<Example> items = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        readSaved(items, texts);
        BenchmarkUtility.Result r = BenchmarkUtility.scoreGsm8k(items, texts, 0, "saved responses");
        if (out != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("responses", responses.toString());
            doc.put("task", "gsm8k");
            doc.put("summary", r.metrics());
            doc.put("n", r.n());
            doc.put("records", r.records());
            JsonOut.writeAtomic(out, doc);
        }
        printMetrics(r, responses.toString());
        return 0;
    }

    private int rescore(String t) {
        if (!t.equals("math")) throw new DeepalignException("--responses re-scores math generations; multiple choice has nothing to re-score.");
        List<Example> items = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        readSaved(items, texts);
        UtilityEval.Result result = UtilityEval.scoreMath(items, texts);
        if (out != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("responses", responses.toString());
            doc.put("task", t);
            doc.put("summary", summary(result));
            doc.put("records", result.records());
            JsonOut.writeAtomic(out, doc);
        }
        EvalSupport.print(spec, table(result, responses.toString()).render());
        return 0;
    }

    /** The --responses records, cut to --limit; the other model and data options must be absent. */
    private void readSaved(List<Example> items, List<String> texts) {
        if (model.model != null || !defense.defense.equalsIgnoreCase("none") || data != null) {
            throw new DeepalignException("--responses re-scores saved generations and takes no --model, --data or --defense.");
        }
        readResponses(responses, items, texts);
        if (limit != null) {
            if (limit < 1) throw new DeepalignException("--limit must be at least 1, got " + limit + ".");
            int n = Math.min(limit, items.size());
            items.subList(n, items.size()).clear();
            texts.subList(n, texts.size()).clear();
        }
    }

    /** Records with question (or prompt), response and answer, from JSONL or a JSON object's "records" array. */
    static void readResponses(Path file, List<Example> items, List<String> texts) {
        if (!Files.isRegularFile(file)) throw new DeepalignException("responses file " + file + " does not exist.");
        List<JsonNode> nodes = new ArrayList<>();
        List<String> where = new ArrayList<>();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
            for (Jsonl.Line l : Jsonl.readLines(file)) {
                nodes.add(l.node());
                where.add(file + " line " + l.number());
            }
        } else {
            JsonNode root = Jsonl.readJson(file);
            JsonNode array = root.isObject() ? root.get("records") : root;
            if (array == null || !array.isArray()) throw new DeepalignException(file + " is neither JSONL nor a JSON object with a \"records\" array.");
            for (int i = 0; i < array.size(); i++) {
                nodes.add(array.get(i));
                where.add(file + " record " + i);
            }
        }
        if (nodes.isEmpty()) throw new DeepalignException(file + " holds no records to score.");
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode n = nodes.get(i);
            if (!n.isObject()) throw new DeepalignException(where.get(i) + ": expected a JSON object.");
            String question = text(n, "question") != null ? text(n, "question") : text(n, "prompt");
            String response = text(n, "response");
            String answer = text(n, "answer");
            if (question == null || response == null || answer == null) {
                throw new DeepalignException(where.get(i) + ": the record needs 'question', 'response' and 'answer'.");
            }
            String id = text(n, "id") != null ? text(n, "id") : String.valueOf(i);
            items.add(new Example(id, question, null, null, null, false, List.of(), answer, null));
            texts.add(response);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    static Map<String, Object> summary(UtilityEval.Result r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("n", r.n());
        s.put("accuracy", r.accuracy());
        if (r.accuracyNorm() != null) s.put("accuracy_norm", r.accuracyNorm());
        if (r.strictAccuracy() != null) s.put("strict", r.strictAccuracy());
        return s;
    }

    private static Table table(UtilityEval.Result r, String title) {
        if (r.task().equals("mc")) {
            return Table.of("task", "n", "accuracy", "accuracy_norm").title("eval utility: " + title).row("mc", r.n(), Table.pct(r.accuracy()),
                    Table.pct(r.accuracyNorm()));
        }
        return Table.of("task", "n", "accuracy", "strict").title("eval utility: " + title).row("math", r.n(), Table.pct(r.accuracy()),
                Table.pct(r.strictAccuracy()));
    }
}
