package deepalign.cli;

import deepalign.train.Baselines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code deepalign train augment}: Qi et al. (2024) safety-recovery augmentation baseline. */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = {"Baseline (Qi et al. 2024): harmful prompt + a harmful-response prefix of random length + refusal, "
            + "loss on the refusal only, plus utility data; same mixed batches and step budget as `train completion`."})
public final class TrainAugmentCommand implements Callable<Integer> {
    @Mixin
    TrainBaselineOptions opts;

    @Override
    public Integer call() {
        TrainBaselineOptions.print(Baselines.augment(opts.config()));
        return 0;
    }
}
