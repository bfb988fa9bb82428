package deepalign.cli;

import deepalign.analysis.AnalysisReport;
import deepalign.analysis.PositionalKl;
import deepalign.analysis.Splits;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deepalign analyze kl}: KL(aligned || base) at each response position, harmful vs benign. */
@Command(name = "kl", mixinStandardHelpOptions = true,
        description = "Positional KL(aligned || base) over response tokens, harmful vs benign prompts; writes kl.json, kl.csv, kl.png.")
public final class AnalyzeKlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AnalyzePairOptions opts;

    @Override
    public Integer call() {
        Splits splits = opts.splits();
        PositionalKl.Config cfg = new PositionalKl.Config(opts.maxPositions, opts.batchSize);
        opts.run(spec, splits, (pair, h, b, inputs) -> AnalysisReport.kl(PositionalKl.run(pair, h, b, cfg), inputs, opts.out, "kl"));
        return 0;
    }

    static void print(CommandSpec spec, String text) {
        PrintWriter w = spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true);
        w.print(text);
        w.flush();
    }
}
