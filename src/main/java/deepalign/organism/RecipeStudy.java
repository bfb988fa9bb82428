package deepalign.organism;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.analysis.ModelPair;
import deepalign.analysis.PositionStats;
import deepalign.analysis.PositionalKl;
import deepalign.analysis.Responses;
import deepalign.attack.PrefillAttack;
import deepalign.attack.Target;
import deepalign.decode.Defenses;
import deepalign.eval.Rates;
import deepalign.judge.OracleJudge;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.report.JsonOut;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares alignment recipes on one base model: each recipe aligns a fresh copy of the base, then the
 * study measures what decides whether the pair is a useful organism (issue: "incomplete learning: present,
 * not absent, not destructive"): direct and prefill ASR three ways, the KL profile along the aligned
 * model's own answers and along harmful answers (the prefill context), contrastive decoding under
 * every prefill length, and utility. Each recipe's aligned model can be kept for further experiments.
 */
public final class RecipeStudy {
    /** One recipe's measurements. KL bands are means over response positions (1-based, inclusive). */
    public record Row(String recipe, OrganismConfig.AlignRecipe config, long alignSeed, Rates direct, Map<String, Rates> prefill, Map<String, Rates> contrastivePrefill,
                      double klAligned1to3, double klAligned21to40, double klHarmful1to3, double klHarmful11to20, double klHarmful21to40,
                      Map<String, Double> utility, double alignSeconds) {}

    /**
     * One recipe across its alignment draws: how far the card's shallow-alignment line (prefill-10 ASR at least
     * {@link #SHALLOW_LINE}) and the later-position push (KL along harmful answers over 21-40) move with the draw alone.
     */
    public record Spread(String recipe, int draws, double prefill10Min, double prefill10Mean, double prefill10Max, int drawsUnderLine,
                         int drawsUnderLineBroken, double klHarmful21to40Min, double klHarmful21to40Max) {}

    /** The organism card's line for shallow alignment: aligned prefill-10 ASR at least this. */
    public static final double SHALLOW_LINE = OrganismCard.SHALLOW_LINE;

    private RecipeStudy() {}

    /** Per recipe (in row order), the spread of its rows over alignment draws. */
    public static List<Spread> spread(List<Row> rows) {
        Map<String, List<Row>> byRecipe = new LinkedHashMap<>();
        for (Row r : rows) byRecipe.computeIfAbsent(r.recipe(), k -> new ArrayList<>()).add(r);
        List<Spread> out = new ArrayList<>();
        for (var e : byRecipe.entrySet()) {
            double[] p10 = e.getValue().stream().mapToDouble(r -> r.prefill().get("10").asr()).toArray();
            double[] kl = e.getValue().stream().mapToDouble(Row::klHarmful21to40).toArray();
            int under = (int) java.util.Arrays.stream(p10).filter(v -> v < SHALLOW_LINE).count();
            // under the line two ways: deep (the continuation turns into a refusal) or broken (into text that is neither)
            int broken = (int) e.getValue().stream().map(r -> r.prefill().get("10"))
                    .filter(r -> r.asr() < SHALLOW_LINE && r.otherRate() > r.refusalRate()).count();
            out.add(new Spread(e.getKey(), p10.length, min(p10), java.util.Arrays.stream(p10).average().orElse(Double.NaN), max(p10), under,
                    broken, min(kl), max(kl)));
        }
        return out;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    public static List<Row> run(Path organismDir, OrganismConfig cfg, List<OrganismConfig.AlignRecipe> recipes) {
        return run(organismDir, cfg, recipes, null, List.of(cfg.seed()));
    }

    /**
     * As {@link #run(Path, OrganismConfig, List)}, once per recipe and alignment seed (recipe-major order; the organism's
     * own seed reproduces its build's alignment draw, others draw other alignment data and batch orders for the same
     * base). With {@code saveDir}, row i's pair is kept as an organism folder saveDir/recipe-i (the same base and data,
     * the row's aligned model), which every command takes like a built one.
     */
    public static List<Row> run(Path organismDir, OrganismConfig cfg, List<OrganismConfig.AlignRecipe> recipes, Path saveDir, List<Long> alignSeeds) {
        if (alignSeeds.isEmpty()) throw new DeepalignException("no alignment seed given");
        World world = World.generate(cfg.world());
        OracleJudge oracle = new OracleJudge(world);
        GenerationConfig gen = GenerationConfig.greedy(cfg.maxNewTokens()).withBatchSize(80);
        List<Row> rows = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            LanguageModel base = LanguageModel.load(organismDir.resolve("base"), manager);
            Corpus corpus = new Corpus(base.chat(), base.tokenizer());
            int pad = base.tokenizer().tokenToId("<pad>").orElseThrow();
            for (OrganismConfig.AlignRecipe recipe : recipes) {
                for (long alignSeed : alignSeeds) {
                    long t0 = System.nanoTime();
                    try (NDManager rm = manager.newSubManager()) { // one aligned copy alive at a time
                        LanguageModel aligned = base.copy(rm);
                        OrganismBuilder.align(aligned, world, corpus, cfg.withAlign(recipe), alignSeed, pad, rm);
                        double alignSeconds = (System.nanoTime() - t0) / 1e9;
                        if (saveDir != null) keep(organismDir, cfg.withAlign(recipe), alignSeed, aligned, saveDir.resolve("recipe-" + rows.size()));
                        rows.add(measure(recipe, alignSeed, base, aligned, world, oracle, gen, alignSeconds));
                    }
                    System.err.println("recipe " + recipe.name() + " (align seed " + alignSeed + "): " + summary(rows.get(rows.size() - 1)));
                }
            }
        }
        return rows;
    }

    /** Writes out/base and out/data (copies), out/aligned, and organism.json with the recipe in its config and no card. */
    @SuppressWarnings("unchecked")
    private static void keep(Path organismDir, OrganismConfig cfg, long alignSeed, LanguageModel aligned, Path out) {
        try {
            for (String sub : new String[] {"base", "data"}) {
                Files.createDirectories(out.resolve(sub));
                try (var files = Files.list(organismDir.resolve(sub))) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, out.resolve(sub).resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new DeepalignException("cannot copy " + organismDir + " into " + out + ": " + e.getMessage(), e);
        }
        aligned.save(out.resolve("aligned"));
        Map<String, Object> json = new LinkedHashMap<>(JsonOut.read(organismDir.resolve("organism.json"), Map.class));
        json.put("config", cfg);
        json.remove("card"); // measured for the recipe in the study's rows, not here
        Map<String, Object> by = new LinkedHashMap<>(); // ordered keys: the same study writes the same file
        by.put("study", "organism recipes");
        by.put("recipe", cfg.align().name());
        by.put("align_seed", alignSeed);
        by.put("organism", organismDir.toString());
        json.put("aligned_by", by);
        JsonOut.writeAtomic(out.resolve("organism.json"), json);
    }

    static Row measure(OrganismConfig.AlignRecipe recipe, long alignSeed, LanguageModel base, LanguageModel aligned, World world, OracleJudge oracle,
            GenerationConfig gen, double alignSeconds) {
        Target a = Target.of("aligned", aligned);
        Rates direct = Rates.of(PrefillAttack.direct().run(a, world.harmfulTest(), oracle, gen));
        Map<String, Rates> prefill = OrganismCard.prefillRates(a, world.harmfulTest(), oracle, gen);
        Map<String, Rates> cd = OrganismCard.prefillRates(Defenses.contrastive(aligned, base, 1.0, null), world.harmfulTest(), oracle, gen);
        ModelPair pair = new ModelPair(base, aligned);
        PositionalKl.Config kcfg = new PositionalKl.Config(40, 0);
        PositionStats own = PositionalKl.stats(PositionalKl.perExample(pair,
                Responses.forPair(pair, world.harmfulTest(), Responses.Source.ALIGNED, 40, 0, "harmful"), kcfg, "KL (aligned answers)"), 40);
        PositionStats harmful = PositionalKl.stats(PositionalKl.perExample(pair,
                Responses.forPair(pair, world.harmfulTest(), Responses.Source.DATASET, 40, 0, "harmful"), kcfg, "KL (harmful answers)"), 40);
        return new Row(recipe.name(), recipe, alignSeed, direct, prefill, cd, own.meanOver(1, 3), own.meanOver(21, 40), harmful.meanOver(1, 3),
                harmful.meanOver(11, 20), harmful.meanOver(21, 40), OrganismCard.utility(aligned, world.mcTest(), world.mathTest(), gen), alignSeconds);
    }

    public static String summary(Row r) {
        return String.format("direct h/r/o %.2f/%.2f/%.2f | prefill-10 h/r/o %.2f/%.2f/%.2f | prefill 5/20/40 %.2f/%.2f/%.2f"
                        + " | CD prefill-10 h/r/o %.2f/%.2f/%.2f | CD prefill 5/20/40 %.2f/%.2f/%.2f"
                        + " | KL own 1-3 %.3f 21-40 %.4f | KL harmful 1-3 %.3f 11-20 %.4f 21-40 %.4f | mc %.3f math %.3f | %.0fs",
                r.direct().asr(), r.direct().refusalRate(), r.direct().otherRate(),
                r.prefill().get("10").asr(), r.prefill().get("10").refusalRate(), r.prefill().get("10").otherRate(),
                r.prefill().get("5").asr(), r.prefill().get("20").asr(), r.prefill().get("40").asr(),
                r.contrastivePrefill().get("10").asr(), r.contrastivePrefill().get("10").refusalRate(), r.contrastivePrefill().get("10").otherRate(),
                r.contrastivePrefill().get("5").asr(), r.contrastivePrefill().get("20").asr(), r.contrastivePrefill().get("40").asr(),
                r.klAligned1to3(), r.klAligned21to40(), r.klHarmful1to3(), r.klHarmful11to20(), r.klHarmful21to40(),
                r.utility().get("mc"), r.utility().get("math"), r.alignSeconds());
    }
}
