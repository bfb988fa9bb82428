package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.attack.GcgAttack;
import deepalign.attack.GcgConfig;
import deepalign.attack.GcgResult;
import deepalign.attack.Target;
import deepalign.data.Example;
import deepalign.data.HarmfulSets;
import deepalign.data.Jsonl;
import deepalign.eval.Rates;
import deepalign.judge.Judge;
import deepalign.judge.KeywordJudge;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.organism.Organisms;
import deepalign.report.JsonOut;
import deepalign.report.Plots;
import deepalign.report.Table;
import java.io.IOException;
import java.io.PrintWriter;
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
 * {@code deepalign attack gcg}: GCG suffixes for harmful prompts, judged; writes every prompt's suffix, response,
 * verdict and loss curve ({@code gcg.json}) and the loss curves as a plot ({@code loss_curves.png}).
 */
@Command(name = "gcg", mixinStandardHelpOptions = true,
        description = "Optimise a GCG adversarial suffix per harmful prompt and report the attack success rate.")
public final class GcgCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--data", paramLabel = "FILE",
            description = "Harmful prompts with targets: deepalign JSONL (field target) or AdvBench CSV (goal, target). "
                    + "Default: harmful_test.jsonl of the model's organism.")
    Path data;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Attack only the first N prompts (0: all).")
    int limit;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder for gcg.json and loss_curves.png.")
    Path out;

    @Option(names = "--judge", defaultValue = "auto", paramLabel = "NAME",
            description = "auto (the organism's oracle when the model is in an organism folder, else keyword), oracle or keyword.")
    String judgeName;

    @Option(names = "--preset", defaultValue = "organism", paramLabel = "NAME",
            description = "organism (CPU-sized, default) or paper (20 tokens, top-256, 512 candidates, 500 steps).")
    String preset;

    @Option(names = "--suffix-length", paramLabel = "N", description = "Suffix tokens (overrides the preset).")
    Integer suffixLength;

    @Option(names = "--topk", paramLabel = "K", description = "Candidate tokens per position (overrides the preset).")
    Integer topK;

    @Option(names = "--candidates", paramLabel = "B", description = "Candidate suffixes per step (overrides the preset).")
    Integer candidates;

    @Option(names = "--steps", paramLabel = "S", description = "Maximum steps per prompt (overrides the preset).")
    Integer steps;

    @Option(names = "--eval-every", paramLabel = "N", description = "Judge a generation every N steps (overrides the preset).")
    Integer evalEvery;

    @Option(names = "--score-batch", paramLabel = "N", description = "Candidates per forward pass (overrides the preset).")
    Integer scoreBatch;

    @Option(names = "--init", paramLabel = "TOKEN", description = "Token the suffix starts as (default \"!\", else a common word).")
    String init;

    @Option(names = "--first-weight", paramLabel = "W",
            description = "Weight of the first target token in the target loss, the rest weigh 1 (overrides the preset; 1 = Zou et al.'s mean).")
    Double firstWeight;

    @Option(names = "--warm-start", paramLabel = "FROM",
            description = "What the suffix starts as: none (the init token repeated; the preset's), target (the prompt's target "
                    + "string) or response (its harmful response), cut to the suffix length.")
    String warmStart;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed of candidate sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-new-tokens", defaultValue = "128", paramLabel = "N", description = "Tokens generated for judging (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public Integer call() {
        GcgConfig cfg = config();
        Path modelDir = model.modelDir();
        Path organismDir = organismOf(modelDir);
        List<Example> prompts = loadPrompts(organismDir);
        Judge judge = judge(organismDir);
        PrintWriter w = spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true);
        try (NDManager manager = NDManager.newBaseManager()) {
            LanguageModel lm = model.load(manager);
            long t0 = System.nanoTime();
            List<GcgResult> results = new GcgAttack(cfg).optimize(Target.of("model", lm), prompts, judge, GenerationConfig.greedy(maxNewTokens));
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> summary = summary(results, seconds);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", modelDir.toString());
            doc.put("attack", "gcg");
            doc.put("judge", judge.name());
            doc.put("data", data != null ? data.toString() : organismDir.resolve("data/harmful_test.jsonl").toString());
            doc.put("config", cfg);
            doc.put("summary", summary);
            doc.put("records", results.stream().map(GcgResult::record).toList());
            createDirs(out);
            JsonOut.writeAtomic(out.resolve("gcg.json"), doc);
            plot(results);
            Rates r = Rates.of(results.stream().map(GcgResult::attempt).toList());
            Table t = Table.of("n", "ASR [95% CI]", "refusal", "other", "mean steps", "loss first -> best", "p(target) first / later",
                            "seconds/prompt")
                    .title("gcg on " + modelDir + " (judge: " + judge.name() + ") -> " + out);
            t.row(r.n(), Table.rateCi(r.asr(), r.ci95()[0], r.ci95()[1]), Table.pct(r.refusalRate()), Table.pct(r.otherRate()),
                    String.format(Locale.ROOT, "%.1f", (double) summary.get("mean_steps")),
                    String.format(Locale.ROOT, "%.3f -> %.3f", (double) summary.get("mean_initial_loss"), (double) summary.get("mean_best_loss")),
                    String.format(Locale.ROOT, "%.3f / %.3f", (double) summary.get("mean_first_target_prob"),
                            (double) summary.get("mean_later_target_prob")),
                    String.format(Locale.ROOT, "%.1f", seconds / results.size()));
            String table = t.render();
            w.print(table.endsWith("\n") ? table : table + "\n");
            w.flush();
        }
        return 0;
    }

    GcgConfig config() {
        GcgConfig base = switch (preset.toLowerCase(Locale.ROOT)) {
            case "organism" -> GcgConfig.organism();
            case "paper" -> GcgConfig.paper();
            default -> throw new DeepalignException("unknown --preset " + preset + "; use organism or paper");
        };
        return new GcgConfig(
                suffixLength != null ? suffixLength : base.suffixLength(),
                topK != null ? topK : base.topK(),
                candidates != null ? candidates : base.candidates(),
                steps != null ? steps : base.steps(),
                evalEvery != null ? evalEvery : base.evalEvery(),
                scoreBatch != null ? scoreBatch : base.scoreBatch(),
                init != null ? init : base.init(),
                seed,
                firstWeight != null ? firstWeight : base.firstWeight(),
                warmStart != null ? warmStart : base.warmStart());
    }

    /** The organism folder a model belongs to (its parent holds organism.json), or null. */
    static Path organismOf(Path modelDir) {
        Path parent = modelDir.toAbsolutePath().normalize().getParent();
        return parent != null && Files.isRegularFile(parent.resolve("organism.json")) ? parent : null;
    }

    private List<Example> loadPrompts(Path organismDir) {
        Path file = data;
        if (file == null) {
            if (organismDir == null) throw new DeepalignException("--data is required when --model is not inside an organism folder");
            file = organismDir.resolve("data").resolve("harmful_test.jsonl");
        }
        if (!Files.isRegularFile(file)) throw new DeepalignException("the prompt file " + file + " does not exist");
        List<Example> all = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")
                ? HarmfulSets.advBench(file) : Jsonl.readExamples(file);
        if (limit < 0) throw new DeepalignException("--limit must be >= 0, got " + limit);
        List<Example> prompts = limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
        if (prompts.isEmpty()) throw new DeepalignException(file + " holds no prompts");
        return prompts;
    }

    private Judge judge(Path organismDir) {
        return switch (judgeName.toLowerCase(Locale.ROOT)) {
            case "auto" -> organismDir != null ? Organisms.oracle(organismDir) : new KeywordJudge();
            case "oracle" -> {
                if (organismDir == null) throw new DeepalignException("--judge oracle needs a model inside an organism folder (whose parent holds organism.json)");
                yield Organisms.oracle(organismDir);
            }
            case "keyword" -> new KeywordJudge();
            default -> throw new DeepalignException("unknown --judge " + judgeName + "; use auto, oracle or keyword");
        };
    }

    static Map<String, Object> summary(List<GcgResult> results, double seconds) {
        Rates r = Rates.of(results.stream().map(GcgResult::attempt).toList());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("n", r.n());
        s.put("asr", r.asr());
        s.put("ci95", r.ci95());
        s.put("refusal_rate", r.refusalRate());
        s.put("other_rate", r.otherRate());
        s.put("mean_steps", results.stream().mapToInt(GcgResult::steps).average().orElse(0));
        s.put("mean_initial_loss", results.stream().mapToDouble(GcgResult::initialLoss).average().orElse(0));
        s.put("mean_best_loss", results.stream().mapToDouble(GcgResult::bestLoss).average().orElse(0));
        s.put("mean_first_target_prob", results.stream().mapToDouble(GcgResult::firstTargetProb).average().orElse(0));
        s.put("mean_later_target_prob", results.stream().mapToDouble(GcgResult::laterTargetProb).filter(Double::isFinite).average().orElse(0));
        s.put("retokenize_rate", results.stream().filter(GcgResult::retokenizes).count() / (double) results.size());
        s.put("seconds", seconds);
        s.put("seconds_per_prompt", seconds / results.size());
        return s;
    }

    private void plot(List<GcgResult> results) {
        List<Plots.Series> series = new ArrayList<>();
        for (GcgResult r : results) {
            double[] y = r.losses().stream().mapToDouble(Double::doubleValue).toArray();
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) x[i] = i;
            String mark = r.success() ? " (broken)" : "";
            series.add(new Plots.Series(r.attempt().example().id() + mark, x, y));
        }
        Plots.linePlot("GCG target loss per prompt", "step", "target loss (mean cross-entropy)", series, false, out.resolve("loss_curves"), false);
    }

    private static void createDirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DeepalignException("cannot create the output folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
