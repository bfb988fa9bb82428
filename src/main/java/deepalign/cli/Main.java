package deepalign.cli;

import deepalign.DeepalignException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The deepalign command line: a thin layer over the Java API, one subcommand per capability. */
@Command(
        name = "deepalign",
        mixinStandardHelpOptions = true,
        versionProvider = Versions.Provider.class,
        description = {
            "Find and repair shallow safety alignment in LLMs.",
            "Every command falls back on the built-in model organism when no model is given."
        },
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    static boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit status: 0 ok, 1 failure, 2 bad input or usage. */
    public static int run(String... args) {
        try {
            deepalign.model.Workers.fromEnvironment();
        } catch (DeepalignException e) {
            System.err.println("deepalign: " + e.getMessage());
            return 2;
        }
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : Commands.all()) cl.addSubcommand(sub);
        JudgeCommand.registerJudge("oracle", () -> deepalign.organism.Organisms.oracle(deepalign.organism.Organisms.defaultOrganism().dir()));
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof DeepalignException) {
                err.println("deepalign: " + ex.getMessage());
                if (verbose) ex.printStackTrace(err);
                err.flush();
                return 2;
            }
            err.println("deepalign: internal error: " + ex);
            if (verbose) {
                ex.printStackTrace(err);
            } else {
                err.println("(run with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        return cl;
    }
}
