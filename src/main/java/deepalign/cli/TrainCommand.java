package deepalign.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deepalign train}: targeted completion training, its baselines and the recovery protocol. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model deeper into its alignment (targeted completion) or with a baseline recipe.",
            "Without --base/--aligned every subcommand uses the built-in organism and its data."},
        subcommands = {TrainCompletionCommand.class, TrainSftRefusalCommand.class, TrainAugmentCommand.class, TrainRecoverCommand.class})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }
}
