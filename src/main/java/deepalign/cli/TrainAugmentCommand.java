package deepalign.cli;

import deepalign.train.Baselines;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepalign train augment}: Qi et al. (2024) safety-recovery augmentation baseline. */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = {"Baseline (Qi et al. 2024): harmful prompt + a harmful-response prefix of random length + refusal,",
            "loss on the refusal only, plus utility data; same mixed batches and step budget as `train completion`."})
public final class TrainAugmentCommand implements Callable<Integer> {
    @Mixin
    TrainDataOptions data;

    @Option(names = "--refusal-text", paramLabel = "TEXT", description = "Refusal for harmful examples without a 'refusal' field.")
    String refusalText;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (model/, train.jsonl, train.png, result.json).")
    Path out;

    @Override
    public Integer call() {
        TrainSftRefusalCommand.print(Baselines.augment(TrainSftRefusalCommand.config(data, refusalText, out)));
        return 0;
    }
}
