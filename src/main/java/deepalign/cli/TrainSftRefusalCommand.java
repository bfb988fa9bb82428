package deepalign.cli;

import deepalign.train.Baselines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code deepalign train sft-refusal}: plain refusal SFT with completion training's data and budget. */
@Command(name = "sft-refusal", mixinStandardHelpOptions = true,
        description = {"Baseline: SFT of the aligned model on harmful prompt -> refusal plus utility data, "
            + "with the same mixed batches and step budget as `train completion`."})
public final class TrainSftRefusalCommand implements Callable<Integer> {
    @Mixin
    TrainBaselineOptions opts;

    @Override
    public Integer call() {
        TrainBaselineOptions.print(Baselines.sftRefusal(opts.config()));
        return 0;
    }
}
