package deepalign.cli;

import deepalign.train.Baselines;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options shared by the refusal baselines (train sft-refusal, train augment): completion training's data and
 * budget, the refusal text and the run directory.
 */
public final class TrainBaselineOptions {
    @Mixin
    TrainDataOptions data;

    @Option(names = "--refusal-text", paramLabel = "TEXT", description = "Refusal for harmful examples without a 'refusal' field.")
    String refusalText;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (model/, train.jsonl, train.png, result.json).")
    Path out;

    Baselines.Config config() {
        return new Baselines.Config(data.alignedDir(), data.baseDir(), out, data.data(), refusalText, data.epochs(), data.lr(), data.batch(),
                data.harmfulFraction, data.seed);
    }

    static void print(Baselines.Result r) {
        System.out.printf("model: %s%n%s: %d steps, loss %.4f -> %.4f, %.1fs%n", r.model(), r.method(), r.steps(), r.firstLoss(), r.finalLoss(),
                r.seconds());
    }
}
