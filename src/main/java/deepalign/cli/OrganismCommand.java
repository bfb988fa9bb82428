package deepalign.cli;

import deepalign.organism.Organism;
import deepalign.organism.OrganismBuilder;
import deepalign.organism.OrganismCard;
import deepalign.organism.OrganismConfig;
import deepalign.organism.Organisms;
import deepalign.report.Table;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `deepalign organism build`: the built-in (base, shallowly aligned) model pair. */
@Command(name = "organism", mixinStandardHelpOptions = true,
        description = "The built-in model organism: a base model and a shallowly aligned model trained on a synthetic world.",
        subcommands = {OrganismCommand.Build.class})
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

        @Option(names = "--size", defaultValue = "small", description = "tiny (seconds, for tests) or small (default, a few minutes).")
        String size;

        @Option(names = "--force", description = "Overwrite an organism already in --out.")
        boolean force;

        @Override
        public Integer call() {
            OrganismConfig cfg = OrganismConfig.forSize(size, seed);
            Path dir = out != null ? out : Organisms.cacheDir(size, seed);
            Organism o = OrganismBuilder.build(cfg, dir, force);
            System.out.println(render(o.card()));
            System.out.println("organism written to " + dir);
            return 0;
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
        return t.render() + "\n" + u.render();
    }
}
