package deepalign.cli;

import deepalign.analysis.AnalysisReport;
import deepalign.analysis.BaseFavored;
import deepalign.analysis.Splits;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deepalign analyze tokens}: base-favored token sets B_t and their mass, harmful vs benign. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Base-favored tokens B_t (top-k of log pi_base - log pi_aligned, d > 0, pi_base >= p_min): size and mass per position; writes tokens.json, tokens.csv, tokens.png.")
public final class AnalyzeTokensCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AnalyzePairOptions opts;

    @Option(names = "--k", defaultValue = "100", paramLabel = "K", description = "Top-k of the log-prob difference (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--p-min", defaultValue = "1e-4", paramLabel = "P", description = "Smallest base probability kept in B_t (default: ${DEFAULT-VALUE}).")
    double pMin;

    @Option(names = "--top-tokens", defaultValue = "20", paramLabel = "N", description = "Most frequent base-favored tokens listed per split (default: ${DEFAULT-VALUE}).")
    int topTokens;

    @Override
    public Integer call() {
        Splits splits = opts.splits();
        BaseFavored.Config cfg = new BaseFavored.Config(opts.maxPositions, k, pMin, opts.batchSize, topTokens);
        opts.run(spec, splits, (pair, h, b, inputs) -> AnalysisReport.tokens(BaseFavored.run(pair, h, b, cfg), inputs, opts.out, "tokens"));
        return 0;
    }
}
