package deepalign.cli;

import deepalign.train.Baselines;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepalign train sft-refusal}: plain refusal SFT with completion training's data and budget. */
@Command(name = "sft-refusal", mixinStandardHelpOptions = true,
        description = {"Baseline: SFT of the aligned model on harmful prompt -> refusal plus utility data,",
            "with the same mixed batches and step budget as `train completion`."})
public final class TrainSftRefusalCommand implements Callable<Integer> {
    @Mixin
    TrainDataOptions data;

    @Option(names = "--refusal-text", paramLabel = "TEXT", description = "Refusal for harmful examples without a 'refusal' field.")
    String refusalText;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (model/, train.jsonl, train.png, result.json).")
    Path out;

    @Override
    public Integer call() {
        Baselines.Result r = Baselines.sftRefusal(config(data, refusalText, out));
        print(r);
        return 0;
    }

    static Baselines.Config config(TrainDataOptions d, String refusal, Path out) {
        return new Baselines.Config(d.alignedDir(), d.baseDir(), out, d.data(), refusal, d.epochs(), d.lr(), d.batch(), d.harmfulFraction, d.seed);
    }

    static void print(Baselines.Result r) {
        System.out.printf("model: %s%n%s: %d steps, loss %.4f -> %.4f, %.1fs%n", r.model(), r.method(), r.steps(), r.firstLoss(), r.finalLoss(),
                r.seconds());
    }
}
