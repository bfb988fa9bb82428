package deepalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deepalign analyze}: the paper's diagnostics of shallow alignment (METHOD.md section 1). */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Diagnose shallow alignment: positional KL, base-favored tokens, gradient norm by position.",
        subcommands = {AnalyzeKlCommand.class, AnalyzeTokensCommand.class, AnalyzeGradientsCommand.class})
public final class AnalyzeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
