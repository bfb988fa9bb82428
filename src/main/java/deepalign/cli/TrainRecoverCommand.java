package deepalign.cli;

import deepalign.DeepalignException;
import deepalign.train.CompletionConfig;
import deepalign.train.Recovery;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepalign train recover}: realign a model broken by fine-tuning, then complete its alignment. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Recovery after a fine-tuning attack: stage 1 distils the broken model back to the aligned model "
            + "(L_KL only, teacher = aligned); stage 2 runs targeted completion. Rerunning continues unfinished stages.",
            "Writes DIR/stage1, DIR/stage2, DIR/model and DIR/recover.json."})
public final class TrainRecoverCommand implements Callable<Integer> {
    @Option(names = "--broken", required = true, paramLabel = "DIR", description = "The attacked model directory.")
    Path broken;

    @Mixin
    TrainDataOptions data;

    @Mixin
    TrainCompletionOptions knobs;

    @Option(names = "--stage1-epochs", paramLabel = "N", description = "Epochs of stage 1. Default: the same as --epochs.")
    Integer stage1Epochs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Recovery directory.")
    Path out;

    @Override
    public Integer call() {
        if (knobs.student != null) throw new DeepalignException("train recover starts from --broken; --student belongs to train completion");
        CompletionConfig cfg = knobs.config(data, out);
        int e1 = stage1Epochs != null ? stage1Epochs : cfg.epochs();
        if (e1 < 1) throw new DeepalignException("--stage1-epochs must be at least 1, got " + e1);
        Recovery.Result r = Recovery.run(new Recovery.Config(broken, cfg, e1));
        System.out.printf("stage 1 (distil to aligned): %d steps, final L_KL %.4f%n", r.stage1().steps(), r.stage1().finalKl());
        System.out.printf("stage 2 (targeted completion): %d steps, final loss %.4f%n", r.stage2().steps(), r.stage2().finalLoss());
        System.out.printf("model: %s%n", r.model());
        return 0;
    }
}
