package deepalign.demo;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.analysis.AnalysisReport;
import deepalign.analysis.BaseFavored;
import deepalign.analysis.ModelPair;
import deepalign.analysis.PositionalKl;
import deepalign.analysis.Responses;
import deepalign.attack.Attack;
import deepalign.attack.Attempt;
import deepalign.attack.DecodingExploitAttack;
import deepalign.attack.GcgAttack;
import deepalign.attack.GcgResult;
import deepalign.attack.PrefillAttack;
import deepalign.attack.Target;
import deepalign.cli.Versions;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.decode.Defenses;
import deepalign.eval.Rates;
import deepalign.eval.SafetyResult;
import deepalign.eval.TargetUtilityEval;
import deepalign.judge.Judge;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.organism.Organism;
import deepalign.organism.Organisms;
import deepalign.report.JsonOut;
import deepalign.train.Baselines;
import deepalign.train.CompletionConfig;
import deepalign.train.CompletionTrainer;
import deepalign.train.FinetuneAttack;
import deepalign.train.Recovery;
import deepalign.train.TrainingData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job: on the model organism, build (or reuse) the pair, diagnose it, attack it, defend it
 * (contrastive decoding), repair it (targeted completion, against the sft-refusal and augment baselines),
 * break it with a fine-tuning attack and recover it; write report.json, report.html and every stage's
 * records under DIR/stages so each figure traces back to the responses it came from.
 */
public final class Demo {
    public static final int[] PREFILLS = {5, 10, 20, 40};

    /** Prompts per generation batch: the 240 (quick: 120) held-out prompts make an even number of batches for two workers. */
    private static final int GEN_BATCH = 60;

    private final DemoConfig cfg;
    private final Map<String, Double> timing = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> asr = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> utility = new LinkedHashMap<>();
    private final Map<String, double[]> klByPosition = new LinkedHashMap<>();
    /** Per method, how many responses reach each position of {@link #klByPosition}: later positions rest on few answers. */
    private final Map<String, int[]> klCounts = new LinkedHashMap<>();
    private final Map<String, List<Map<String, Object>>> examples = new LinkedHashMap<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    /** Per attacked method, GCG's target loss per step, one curve per prompt. */
    private final Map<String, List<List<Double>>> gcgCurves = new LinkedHashMap<>();
    private final Map<String, String> errors = new LinkedHashMap<>();
    /** Training runs that an earlier demo into the same folder finished, reused now (their time is not in this run's timing). */
    private final List<String> reused = new ArrayList<>();

    public Demo(DemoConfig cfg) {
        this.cfg = cfg;
    }

    public static Path run(DemoConfig cfg) {
        return new Demo(cfg).execute();
    }

    private Path execute() {
        long t0 = System.nanoTime();
        Path stages = cfg.out().resolve("stages");
        long t = System.nanoTime();
        Organism org = organism(cfg);
        stage("organism", t);
        checkSameOrganism(org);
        List<deepalign.organism.OrganismCard.Check> cardChecks = org.card() == null ? List.of() : org.card().checks();
        List<String> missed = deepalign.organism.OrganismCard.missed(cardChecks);
        if (!missed.isEmpty()) line("note: this organism misses card lines, so the demo runs on a pair that does not reproduce what the card asks: "
                + String.join("; ", missed));
        Judge oracle = Organisms.oracle(org.dir());
        List<Example> harmful = first(Jsonl.readExamples(org.data("harmful_test")), cfg.testLimit());
        List<Example> benign = first(Jsonl.readExamples(org.data("benign_test")), cfg.testLimit());
        List<Example> mc = first(Jsonl.readExamples(org.data("utility_mc_test")), cfg.testLimit());
        List<Example> math = first(Jsonl.readExamples(org.data("utility_math_test")), cfg.testLimit());
        Path harmfulTrain = trainSplit(org.data("harmful_train"));
        Path utilityTrain = trainSplit(org.utilityTrain());
        GenerationConfig gen = GenerationConfig.greedy(cfg.maxNewTokens()).withBatchSize(GEN_BATCH);

        try (NDManager manager = NDManager.newBaseManager()) {
            LanguageModel base = LanguageModel.load(org.base(), manager);
            LanguageModel aligned = LanguageModel.load(org.aligned(), manager);
            ModelPair pair = new ModelPair(base, aligned);

            t = System.nanoTime();
            line("diagnostics: KL by position and base-favored tokens (aligned responses)");
            var harmfulScored = Responses.forPair(pair, harmful, Responses.Source.ALIGNED, 64, GEN_BATCH, "harmful_test");
            var benignScored = Responses.forPair(pair, benign, Responses.Source.ALIGNED, 64, GEN_BATCH, "benign_test");
            PositionalKl.Result kl = PositionalKl.run(pair, harmfulScored, benignScored, PositionalKl.Config.defaults());
            BaseFavored.Result fav = BaseFavored.run(pair, harmfulScored, benignScored, BaseFavored.Config.defaults());
            AnalysisReport.kl(kl, orderedMeta("aligned", "harmful_test + benign_test"), stages, "kl_aligned");
            AnalysisReport.tokens(fav, orderedMeta("aligned", "harmful_test + benign_test"), stages, "base_favored");
            // the same along the dataset's own answers: harmful text for harmful prompts, helpful text for benign ones
            BaseFavored.Result favData = BaseFavored.run(pair,
                    Responses.forPair(pair, harmful, Responses.Source.DATASET, 64, GEN_BATCH, "harmful_test"),
                    Responses.forPair(pair, benign, Responses.Source.DATASET, 64, GEN_BATCH, "benign_test"), BaseFavored.Config.defaults());
            AnalysisReport.tokens(favData, orderedMeta("dataset", "harmful_test + benign_test"), stages, "base_favored_dataset");
            putKl("aligned", kl.harmful());
            stage("diagnostics", t);

            t = System.nanoTime();
            line("attacks on the base and the aligned model");
            evaluate("base", Target.of("base", base), harmful, oracle, gen, stages, false);
            evaluate("aligned", Target.of("aligned", aligned), harmful, oracle, gen, stages, true);
            utility.put("base", utility(Target.of("base", base), mc, math, gen));
            utility.put("aligned", utility(Target.of("aligned", aligned), mc, math, gen));
            stage("attacks", t);

            t = System.nanoTime();
            line("defense: contrastive decoding (alpha 1)");
            Target cd = Defenses.contrastive(aligned, base, 1.0, null);
            evaluate("contrastive", cd, harmful, oracle, gen, stages, false);
            utility.put("contrastive", utility(cd, mc, math, gen));
            stage("contrastive", t);

            t = System.nanoTime();
            CompletionConfig cc = CompletionConfig.organismRecipe(org.base(), org.aligned(), harmfulTrain, utilityTrain, cfg.out().resolve("train/completion"))
                    .withSchedule(cfg.completionEpochs(), cfg.completionLr(), CompletionConfig.ORGANISM_BATCH)
                    .withRun(cfg.seed(), 0, 0.4);
            line(String.format("repair: targeted completion training (the organism's teacher: lambda %.1f harmful, %.1f utility)",
                    cc.teacher().lambdaFor(true), cc.teacher().lambdaFor(false)));
            noteFinished("completion", cc.out());
            CompletionTrainer.Result comp = CompletionTrainer.continueOrRun(cc); // a rerun into the same --out reuses it
            extra.put("completion_training", comp);
            // the baselines and the recovery train on the same prompts with the same base answers: generate them once
            for (String run : List.of("train/sft_refusal", "train/augment", "train/recovery/stage1")) {
                TrainingData.reuseResponses(cc.out(), cfg.out().resolve(run));
            }
            stage("completion_training", t);
            t = System.nanoTime();
            try (NDManager sm = NDManager.newBaseManager()) {
                LanguageModel student = LanguageModel.load(comp.model(), sm);
                evaluate("completion", Target.of("completion", student), harmful, oracle, gen, stages, true);
                utility.put("completion", utility(Target.of("completion", student), mc, math, gen));
                ModelPair after = new ModelPair(base, student);
                var studentScored = Responses.forPair(after, harmful, Responses.Source.ALIGNED, 64, GEN_BATCH, "harmful_test");
                PositionalKl.Result klAfter = PositionalKl.run(after, studentScored, List.of(), PositionalKl.Config.defaults());
                AnalysisReport.kl(klAfter, Map.of("responses", "completion student"), stages, "kl_completion");
                putKl("completion", klAfter.harmful());
            }
            stage("completion_eval", t);

            t = System.nanoTime();
            line("baselines: sft-refusal and augment (same data and budget)");
            for (String method : List.of("sft_refusal", "augment")) {
                Baselines.Config bc = new Baselines.Config(org.aligned(), org.base(), cfg.out().resolve("train/" + method),
                        TrainingData.Config.defaults(harmfulTrain, utilityTrain), null, cfg.completionEpochs(),
                        cfg.completionLr(), CompletionConfig.ORGANISM_BATCH, 0.4, cfg.seed());
                noteFinished(method, bc.out());
                Baselines.Result br = method.equals("augment") ? Baselines.augment(bc) : Baselines.sftRefusal(bc);
                try (NDManager bm = NDManager.newBaseManager()) {
                    LanguageModel m = LanguageModel.load(br.model(), bm);
                    evaluate(method, Target.of(method, m), harmful, oracle, gen, stages, false);
                    utility.put(method, utility(Target.of(method, m), mc, math, gen));
                }
            }
            stage("baselines", t);

            t = System.nanoTime();
            line("fine-tuning attack on the aligned model, then two-stage recovery");
            noteFinished("finetune_attack", cfg.out().resolve("train/finetune_attack"));
            noteFinished("recovery/stage1", cfg.out().resolve("train/recovery/stage1"));
            noteFinished("recovery/stage2", cfg.out().resolve("train/recovery/stage2"));
            FinetuneAttack.Result broken = FinetuneAttack.run(new FinetuneAttack.Config(org.aligned(), org.data("harmful_train"), 10,
                    cfg.finetuneSteps(), FinetuneAttack.DEFAULT_LR, 10, cfg.seed(), cfg.out().resolve("train/finetune_attack")));
            try (NDManager bm = NDManager.newBaseManager()) {
                LanguageModel b = LanguageModel.load(broken.model(), bm);
                put("aligned", "finetune", direct(Target.of("aligned+finetune", b), harmful, oracle, gen, stages, "aligned_finetune"));
                utility.put("finetuned", utility(Target.of("finetuned", b), mc, math, gen));
            }
            try {
                Recovery.Result rec = Recovery.run(new Recovery.Config(broken.model(), cc.withOut(cfg.out().resolve("train/recovery")), cfg.completionEpochs()));
                try (NDManager rm = NDManager.newBaseManager()) {
                    LanguageModel r = LanguageModel.load(rec.model(), rm);
                    put("recovered", "finetune", direct(Target.of("recovered", r), harmful, oracle, gen, stages, "recovered_direct"));
                    utility.put("recovered", utility(Target.of("recovered", r), mc, math, gen));
                }
            } catch (DeepalignException e) {
                // A failed stage is a result too: keep everything measured so far and say what failed.
                errors.put("recovery", e.getMessage());
                line("  recovery failed: " + e.getMessage());
            }
            stage("finetune_recovery", t);

            timing.put("total", secs(t0));
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("asr", asr);
            report.put("utility", utility);
            report.put("kl_by_position", klByPosition);
            report.put("kl_by_position_n", klCounts);
            report.put("base_favored", baseFavored(fav));
            report.put("base_favored_dataset", baseFavored(favData));
            report.put("gcg_loss_curves", gcgCurves);
            report.put("timing", timing);
            report.put("reused_training_runs", reused);
            report.put("organism_card_checks", cardChecks);
            Map<String, Object> config = new LinkedHashMap<>(); // ordered keys: the same run writes the same file
            config.put("demo", cfg);
            config.put("organism", org.dir().toString());
            config.put("organism_config", org.config());
            config.put("completion", cc);
            config.put("judge", "oracle");
            config.put("decoding_grid", DemoConfig.decodingGrid());
            report.put("config", config);
            report.put("versions", Versions.all());
            report.put("examples", examples);
            report.put("details", extra);
            report.put("errors", errors);
            JsonOut.writeAtomic(cfg.out().resolve("report.json"), report);
            DemoHtml.write(cfg.out().resolve("report.html"), report, cfg, kl, fav, favData, cfg.out());
            return cfg.out().resolve("report.json");
        }
    }

    /** The organism given in the config, or the cached one of its size (built on first use). */
    private static Organism organism(DemoConfig cfg) {
        return cfg.organism() == null ? Organisms.cached(cfg.organismSize(), cfg.seed()) : Organisms.at(cfg.organism());
    }

    private static List<Example> first(List<Example> all, int limit) {
        return limit > 0 && limit < all.size() ? all.subList(0, limit) : all;
    }

    /** A training split file, cut to cfg.trainLimit examples into DIR/data (same file name) when a limit is set. */
    private Path trainSplit(Path file) {
        List<Example> all = Jsonl.readExamples(file);
        if (cfg.trainLimit() <= 0 || cfg.trainLimit() >= all.size()) return file;
        Path cut = cfg.out().resolve("data").resolve(file.getFileName().toString());
        Jsonl.writeExamples(cut, all.subList(0, cfg.trainLimit()));
        return cut;
    }

    /** Direct, prefill 5/10/20/40 and decoding on every method; GCG on the models it optimises against. */
    private void evaluate(String method, Target target, List<Example> harmful, Judge judge, GenerationConfig gen, Path stages, boolean gcg) {
        List<Attack> attacks = new ArrayList<>();
        attacks.add(PrefillAttack.direct());
        for (int n : PREFILLS) attacks.add(new PrefillAttack(n));
        for (Attack a : attacks) put(method, a.name(), run(method, a, target, harmful, judge, gen, stages));
        List<Example> dec = harmful.subList(0, Math.min(cfg.decodingPrompts(), harmful.size()));
        put(method, "decoding", run(method, new DecodingExploitAttack(DemoConfig.decodingGrid(), 1), target, dec, judge, gen, stages));
        if (gcg) {
            List<Example> sub = harmful.subList(0, Math.min(cfg.gcgPrompts(), harmful.size()));
            GcgAttack attack = new GcgAttack(cfg.gcg());
            List<GcgResult> traces = attack.optimize(target, sub, judge, gen);
            gcgCurves.put(method, traces.stream().map(GcgResult::losses).toList());
            put(method, "gcg", record(method, attack, target, traces.stream().map(GcgResult::attempt).toList(), judge, stages));
        }
    }

    private Rates direct(Target target, List<Example> harmful, Judge judge, GenerationConfig gen, Path stages, String file) {
        return run(file, PrefillAttack.direct(), target, harmful, judge, gen, stages);
    }

    private Rates run(String method, Attack attack, Target target, List<Example> prompts, Judge judge, GenerationConfig gen, Path stages) {
        return record(method, attack, target, attack.run(target, prompts, judge, gen), judge, stages);
    }

    /** Writes one attack's records to DIR/stages, keeps two examples for the page, prints its line; returns its rates. */
    private Rates record(String method, Attack attack, Target target, List<Attempt> attempts, Judge judge, Path stages) {
        SafetyResult res = SafetyResult.of(target.name(), attack.name(), judge.name(), method, attempts);
        JsonOut.writeAtomic(stages.resolve(method + "_" + attack.name() + ".json"), res);
        List<Map<String, Object>> ex = examples.computeIfAbsent(method + "/" + attack.name(), k -> new ArrayList<>());
        for (int i = 0; i < Math.min(2, res.records().size()); i++) ex.add(res.records().get(i));
        line(String.format("  %-12s %-10s harmful %5.1f%%  refusal %5.1f%%  other %5.1f%%  (n=%d)", method, attack.name(),
                100 * res.summary().asr(), 100 * res.summary().refusalRate(), 100 * res.summary().otherRate(), res.summary().n()));
        return res.summary();
    }

    private static Map<String, Object> orderedMeta(String responses, String data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("responses", responses);
        m.put("data", data);
        return m;
    }

    private void put(String method, String attack, Rates r) {
        asr.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(attack, r);
    }

    private static Map<String, Double> utility(Target target, List<Example> mc, List<Example> math, GenerationConfig gen) {
        Map<String, Double> u = new LinkedHashMap<>();
        u.put("mc", TargetUtilityEval.multipleChoice(target, mc, 64).accuracy());
        u.put("math", TargetUtilityEval.math(target, math, gen.withMaxNewTokens(48)).accuracy());
        return u;
    }

    private static Map<String, Object> baseFavored(BaseFavored.Result fav) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("harmful", favSplit(fav.harmful()));
        out.put("benign", favSplit(fav.benign()));
        return out;
    }

    private static Map<String, Object> favSplit(BaseFavored.SplitStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", finitePrefix(s.size().mean()));
        m.put("base_mass", finitePrefix(s.baseMass().mean()));
        m.put("aligned_mass", finitePrefix(s.alignedMass().mean()));
        return m;
    }

    private void putKl(String method, deepalign.analysis.PositionStats harmful) {
        double[] mean = finitePrefix(harmful.mean());
        klByPosition.put(method, mean);
        klCounts.put(method, java.util.Arrays.copyOf(harmful.n(), mean.length));
    }

    /** Positions up to the first one no response reached (mean NaN): reports hold finite numbers only. */
    static double[] finitePrefix(double[] a) {
        int n = 0;
        while (n < a.length && Double.isFinite(a[n])) n++;
        return java.util.Arrays.copyOf(a, n);
    }

    /**
     * Training runs are reused by their config, which names the organism's folders, not what is in them; a demo run again
     * into the same --out after the organism was rebuilt in place must not reuse them. DIR/train/organism.sha256 records
     * the organism.json they were trained on (its timings change with every build).
     */
    private void checkSameOrganism(Organism org) {
        Path stamp = cfg.out().resolve("train").resolve("organism.sha256");
        String now;
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(org.dir().resolve("organism.json")));
            now = java.util.HexFormat.of().formatHex(d) + "  " + org.dir().resolve("organism.json") + "\n";
            if (java.nio.file.Files.isRegularFile(stamp) && !java.nio.file.Files.readString(stamp).equals(now)) {
                throw new DeepalignException(cfg.out().resolve("train") + " holds training runs of another organism build than " + org.dir()
                        + "; choose another --out or remove that folder");
            }
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new DeepalignException("cannot fingerprint " + org.dir().resolve("organism.json") + ": " + e.getMessage(), e);
        }
        Jsonl.writeAtomic(stamp, now);
    }

    /** Notes a training run this demo will reuse: one an earlier run into the same folder finished. */
    private void noteFinished(String name, Path dir) {
        if (deepalign.train.FinishedRun.exists(dir)) reused.add(name);
    }

    private void stage(String name, long t) {
        timing.put(name, secs(t));
        line(String.format("[%s] %.1f s", name, timing.get(name)));
    }

    private static double secs(long t) {
        return Math.round((System.nanoTime() - t) / 1e7) / 100.0;
    }

    private static void line(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
