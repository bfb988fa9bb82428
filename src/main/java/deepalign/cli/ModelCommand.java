package deepalign.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deepalign model}: commands that make or change checkpoints. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Create model checkpoints (see 'model init').",
        subcommands = {ModelInitCommand.class})
public final class ModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "model needs a subcommand, e.g. 'model init'.");
    }
}
