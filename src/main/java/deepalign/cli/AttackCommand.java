package deepalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** `deepalign attack ...`: attacks that produce an artefact of their own (a broken model, GCG suffixes). */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = {"Attacks that produce something to keep: a fine-tuned (broken) model, or GCG suffixes with loss curves.",
            "Prompt-level attacks (direct, prefill, decoding, gcg) are also run by `deepalign eval safety --attack ...`."},
        subcommands = {AttackFinetuneCommand.class, GcgCommand.class})
public final class AttackCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
