package deepalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deepalign eval}: the parent of {@code eval safety} and {@code eval utility}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model: attack success rate under an attack (safety) or task accuracy (utility).",
        subcommands = {EvalSafetyCommand.class, EvalUtilityCommand.class})
public final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
