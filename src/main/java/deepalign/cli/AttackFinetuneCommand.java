package deepalign.cli;

import deepalign.organism.Organisms;
import deepalign.train.FinetuneAttack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code deepalign attack finetune}: a few SFT steps on a handful of harmful (prompt, answer) pairs. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tuning attack: SFT on the first --examples harmful prompt+response pairs of --harmful for --steps steps.",
            "Saves DIR/model (attack it directly afterwards) and DIR/attack.json."})
public final class AttackFinetuneCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Model to attack. Default: the organism's aligned model.")
    Path model;

    @Option(names = "--harmful", paramLabel = "FILE",
            description = "Harmful prompts with a 'response' (JSONL). Default: the organism's harmful_train.jsonl.")
    Path harmful;

    @Option(names = "--examples", defaultValue = "10", paramLabel = "N", description = "Harmful pairs used. Default: ${DEFAULT-VALUE}.")
    int examples;

    @Option(names = "--steps", defaultValue = "" + FinetuneAttack.DEFAULT_STEPS, paramLabel = "N", description = "SFT steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--lr", defaultValue = "" + FinetuneAttack.DEFAULT_LR, paramLabel = "LR", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch", defaultValue = "10", paramLabel = "N", description = "Sequences per step (at most --examples). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        Path m = model != null ? model : Organisms.defaultOrganism().aligned();
        Path h = harmful != null ? harmful : Organisms.defaultOrganism().data("harmful_train");
        FinetuneAttack.Result r = FinetuneAttack.run(new FinetuneAttack.Config(m, h, examples, steps, lr, batch, seed, out));
        System.out.printf("model: %s%nfine-tuning attack: %d examples, %d steps, loss %.4f -> %.4f, %.1fs%n", r.model(), r.examples(), r.steps(),
                r.firstLoss(), r.finalLoss(), r.seconds());
        return 0;
    }
}
