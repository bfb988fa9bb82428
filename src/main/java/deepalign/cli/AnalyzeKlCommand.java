package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.analysis.AnalysisReport;
import deepalign.analysis.ModelPair;
import deepalign.analysis.PositionalKl;
import deepalign.analysis.Responses;
import deepalign.analysis.Splits;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
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
        try (NDManager m = NDManager.newBaseManager();
                ModelPair pair = opts.loadPair(m)) {
            long t0 = System.nanoTime();
            List<Responses.Scored> h = opts.responses(pair, splits, true);
            List<Responses.Scored> b = opts.responses(pair, splits, false);
            double responseSeconds = (System.nanoTime() - t0) / 1e9;
            PositionalKl.Result r = PositionalKl.run(pair, h, b, cfg);
            Map<String, Object> inputs = opts.describe(splits);
            inputs.put("response_seconds", responseSeconds);
            print(spec, AnalysisReport.kl(r, inputs, opts.out, "kl"));
        }
        return 0;
    }

    static void print(CommandSpec spec, String text) {
        PrintWriter w = spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true);
        w.print(text);
        w.flush();
    }
}
