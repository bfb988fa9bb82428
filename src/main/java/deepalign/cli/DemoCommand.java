package deepalign.cli;

import deepalign.demo.Demo;
import deepalign.demo.DemoConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `deepalign demo`: the whole paper on the model organism, in one command. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job: build (or reuse) the model organism, diagnose it, attack it, defend it with contrastive decoding, "
            + "repair it with targeted completion training (against the sft-refusal and augment baselines), break it with a "
            + "fine-tuning attack and recover it. Writes DIR/report.json, DIR/report.html and every stage's records.",
            "Run again into the same DIR, it reuses the training runs finished there with the same configuration and resumes an "
            + "interrupted completion run from its checkpoint, so a killed demo continues where it stopped."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Organism and training seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quick", description = "The quick organism (hidden 96, 3 layers, a smaller world; built in about a minute and a half) and smaller attack and training budgets: about 2.5 minutes in all, still 120 harmful test prompts per attack (GCG excepted).")
    boolean quick;

    @Option(names = "--organism", paramLabel = "DIR",
            description = "Run on this already built organism (from `deepalign organism build`) instead of the cached one of the mode's size.")
    Path organism;

    @Override
    public Integer call() {
        DemoConfig cfg = DemoConfig.of(out, seed, quick);
        if (organism != null) cfg = cfg.withOrganism(organism);
        Path report = Demo.run(cfg);
        System.out.println("report: " + report + " and " + report.resolveSibling("report.html"));
        return 0;
    }
}
