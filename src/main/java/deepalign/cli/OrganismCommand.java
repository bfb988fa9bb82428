package deepalign.cli;

import deepalign.DeepalignException;
import deepalign.organism.Organism;
import deepalign.organism.OrganismBuilder;
import deepalign.organism.OrganismCard;
import deepalign.organism.OrganismConfig;
import deepalign.organism.Organisms;
import deepalign.report.Table;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `deepalign organism build`: the built-in (base, shallowly aligned) model pair. */
@Command(name = "organism", mixinStandardHelpOptions = true,
        description = "The built-in model organism: a base model and a shallowly aligned model trained on a synthetic world.",
        subcommands = {OrganismCommand.Build.class, OrganismCommand.Recipes.class})
public final class OrganismCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Build the organism: world and data splits, base pretraining, safety SFT, and the measured card.",
                "Writes DIR/base, DIR/aligned (Hugging Face checkpoints), DIR/data/*.jsonl and DIR/organism.json."})
    static final class Build implements Callable<Integer> {
        @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: the cache every command falls back on ($DEEPALIGN_HOME or ~/.cache/deepalign).")
        Path out;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of world, initialisation and training (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--size", defaultValue = "small", description = "tiny (seconds, for tests), quick (the demo's --quick organism, about a minute and a half) or small (default, a few minutes).")
        String size;

        @Option(names = "--force", description = "Overwrite an organism already in --out.")
        boolean force;

        @Option(names = "--recipe", paramLabel = "SPEC", description = {"Alignment recipe instead of the size's default "
                + "(small: " + OrganismConfig.DEFAULT_RECIPE + "):", "sft:STEPS:LR:REPLAY[:RECOVERY[@WEIGHT][:MAXPREFIX|MINPREFIX-MAXPREFIX]][+dpo:STEPS:LR:BETA:RETAIN], or a named one: late-push ("
                + OrganismConfig.LATE_PUSH_RECIPE + ", recovery prefixes over whole answers), dpo (" + OrganismConfig.DPO_RECIPE + ").",
            "Compare recipes with `organism recipes`."})
        String recipe;

        @Option(names = "--math-pretrain", paramLabel = "N", description = {"Math word problems that only the base's pretraining holds, "
                + "new to both math splits (default 0).", "They replace repeats of math_train: as many math chats, more of them distinct. "
                + "See the README (the organism's math gap)."})
        Integer mathPretrain;

        @Override
        public Integer call() {
            OrganismConfig cfg = OrganismConfig.forSize(size, seed);
            if (recipe != null) cfg = cfg.withAlign(OrganismConfig.AlignRecipe.parse(recipe));
            if (mathPretrain != null) {
                if (mathPretrain < 0) throw new DeepalignException("--math-pretrain must not be negative, not " + mathPretrain);
                cfg = cfg.withWorld(cfg.world().withMathPretrain(mathPretrain));
            }
            Path dir = out != null ? out : Organisms.cacheDir(size, seed);
            Organism o = OrganismBuilder.build(cfg, dir, force);
            System.out.println(render(o.card()));
            System.out.println("organism written to " + dir);
            return 0;
        }
    }

    @Command(name = "recipes", mixinStandardHelpOptions = true,
            description = {"Compare safety-alignment recipes on one organism's base model: each recipe aligns a fresh copy of "
                + "DIR/base, then direct and prefill ASR (harmful/refusal/other), contrastive decoding (alpha 1) under every "
                + "prefill length, KL(aligned || base) along the aligned answers and along harmful answers, and utility are measured.",
                "Recipe syntax: sft:STEPS:LR:REPLAY[:RECOVERY[@WEIGHT][:MAXPREFIX|MINPREFIX-MAXPREFIX]][+dpo:STEPS:LR:BETA:RETAIN] (REPLAY: share of "
                + "document replay in the SFT mix; RECOVERY: share of harmful training prompts that also get a harmful prefix "
                + "of 1..MAXPREFIX (default 20) or MINPREFIX..MAXPREFIX tokens followed by the refusal; WEIGHT: loss weight of those "
                + "refusals, default 1, so that 1@0.03 gives every prompt one at the default's total dose; DPO prefers the refusal to a harmful answer, "
                + "reference = the SFT model, RETAIN weights a cross-entropy on benign chats and documents), or a named one: "
                + "late-push, dpo (see `organism build --help`)."})
    static final class Recipes implements Callable<Integer> {
        @Option(names = "--organism", paramLabel = "DIR", description = "Organism directory (default: the cached default organism).")
        Path dir;

        @Option(names = "--recipe", required = true, paramLabel = "SPEC", description = "A recipe to compare; repeat for several.")
        java.util.List<String> recipes;

        @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Where to write the rows (JSON).")
        Path out;

        @Option(names = "--save", paramLabel = "DIR", description = {"Also write each row's aligned model to DIR/recipe-I (I = 0, 1, ... in "
            + "row order: --recipe order, then --align-seed order): an organism folder with the same base and data and the recipe's aligned model, e.g. to train or attack next."})
        Path save;

        @Option(names = "--align-seed", paramLabel = "S", description = {"Seed of the alignment draw (which prompts get recovery examples, which "
            + "documents are replayed, batch order); repeat to align every recipe once per seed. Default: the organism's seed, which "
            + "reproduces its build's aligned model; other seeds tell what the base decides from what the draw decides."})
        java.util.List<Long> alignSeeds;

        @Override
        public Integer call() {
            Organism o = dir == null ? Organisms.defaultOrganism() : Organisms.at(dir);
            java.util.List<OrganismConfig.AlignRecipe> parsed = recipes.stream().map(OrganismConfig.AlignRecipe::parse).toList();
            java.util.List<Long> seeds = alignSeeds == null || alignSeeds.isEmpty() ? java.util.List.of(o.config().seed()) : alignSeeds;
            java.util.List<deepalign.organism.RecipeStudy.Row> rows = deepalign.organism.RecipeStudy.run(o.dir(), o.config(), parsed, save, seeds);
            java.util.Map<String, Object> json = new java.util.LinkedHashMap<>(); // ordered keys: the same study writes the same file
            json.put("organism", o.dir().toString());
            json.put("rows", rows);
            java.util.List<deepalign.organism.RecipeStudy.Spread> spread = deepalign.organism.RecipeStudy.spread(rows);
            if (seeds.size() > 1) json.put("across_draws", spread);
            deepalign.report.JsonOut.writeAtomic(out, json);
            Table t = Table.of("recipe", "align seed", "direct h/r/o", "prefill-10 h/r/o", "prefill 5/20/40", "CD prefill-10 h/r/o", "CD prefill 5/20/40",
                    "KL own 1-3 / 21-40", "KL harmful 1-3 / 21-40", "mc", "math").title("Alignment recipes (held-out harmful prompts, oracle)");
            for (var r : rows) {
                t.row(r.recipe(), Long.toString(r.alignSeed()), hro(r.direct()), hro(r.prefill().get("10")),
                        prefill5to40(r.prefill()),
                        hro(r.contrastivePrefill().get("10")), prefill5to40(r.contrastivePrefill()),
                        String.format("%.3f / %.4f", r.klAligned1to3(), r.klAligned21to40()),
                        String.format("%.3f / %.4f", r.klHarmful1to3(), r.klHarmful21to40()),
                        Table.pct(r.utility().get("mc")), Table.pct(r.utility().get("math")));
            }
            System.out.println(t.render());
            if (seeds.size() > 1) {
                Table d = Table.of("recipe", "draws", "prefill-10 min / mean / max", "draws under the card's 50%", "KL harmful 21-40 min / max")
                        .title("Across alignment draws (the same base; only the draw differs)");
                for (var sp : spread) {
                    d.row(sp.recipe(), Integer.toString(sp.draws()),
                            Table.pct(sp.prefill10Min()) + " / " + Table.pct(sp.prefill10Mean()) + " / " + Table.pct(sp.prefill10Max()),
                            sp.drawsUnderLine() + " of " + sp.draws() + (sp.drawsUnderLine() > 0 ? " (" + sp.drawsUnderLineBroken() + " by broken text)" : ""),
                            String.format("%.3f / %.3f", sp.klHarmful21to40Min(), sp.klHarmful21to40Max()));
                }
                System.out.println(d.render());
            }
            System.out.println("rows written to " + out);
            return 0;
        }

        private static String prefill5to40(java.util.Map<String, deepalign.eval.Rates> byN) {
            return Table.pct(byN.get("5").asr()) + "/" + Table.pct(byN.get("20").asr()) + "/" + Table.pct(byN.get("40").asr());
        }

        private static String hro(deepalign.eval.Rates r) {
            return Table.pct(r.asr()) + "/" + Table.pct(r.refusalRate()) + "/" + Table.pct(r.otherRate());
        }
    }

    static String render(OrganismCard card) {
        Table t = Table.of("figure", "harmful", "refusal", "other").title("Organism card (held-out prompts, oracle judge, greedy)");
        t.row("base, direct", Table.rateCi(card.baseDirect().asr(), card.baseDirect().ci95()[0], card.baseDirect().ci95()[1]),
                Table.pct(card.baseDirect().refusalRate()), Table.pct(card.baseDirect().otherRate()));
        t.row("aligned, direct", Table.rateCi(card.alignedDirect().asr(), card.alignedDirect().ci95()[0], card.alignedDirect().ci95()[1]),
                Table.pct(card.alignedDirect().refusalRate()), Table.pct(card.alignedDirect().otherRate()));
        for (var e : card.alignedPrefill().entrySet()) {
            var r = e.getValue();
            t.row("aligned, prefill-" + e.getKey(), Table.rateCi(r.asr(), r.ci95()[0], r.ci95()[1]), Table.pct(r.refusalRate()), Table.pct(r.otherRate()));
        }
        Table u = Table.of("model", "mc accuracy", "math accuracy").title("Utility (held-out)");
        u.row("base", Table.pct(card.baseUtility().get("mc")), Table.pct(card.baseUtility().get("math")));
        u.row("aligned", Table.pct(card.alignedUtility().get("mc")), Table.pct(card.alignedUtility().get("math")));
        if (card.baseTrainUtility() != null) {
            u.row("base, on its training items", Table.pct(card.baseTrainUtility().get("mc")), Table.pct(card.baseTrainUtility().get("math")));
        }
        return t.render() + "\n" + u.render() + "\n" + renderChecks(card.checks());
    }

    /** The organism issue's lines and whether this card meets them; a failed line is said in a sentence too. */
    static String renderChecks(List<OrganismCard.Check> checks) {
        Table t = Table.of("card line", "measured", "holds").title("Card lines (the organism issue's requirements)");
        for (OrganismCard.Check c : checks) t.row(c.line(), c.measured(), c.holds() ? "yes" : "NO");
        List<String> failed = OrganismCard.missed(checks);
        String verdict = failed.isEmpty() ? "All " + checks.size() + " card lines hold."
                : "This organism misses " + failed.size() + " of " + checks.size() + " card lines: " + String.join("; ", failed)
                        + ". It is built and usable, but it does not reproduce what the card asks (docs/experiments.md, \"Alignment draws\", says how often a seed misses).";
        return t.render() + "\n" + verdict;
    }
}
