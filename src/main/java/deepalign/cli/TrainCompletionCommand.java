package deepalign.cli;

import deepalign.DeepalignException;
import deepalign.train.CompletionConfig;
import deepalign.train.CompletionTrainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepalign train completion}: the paper's targeted completion training. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Targeted completion training (METHOD.md section 3): distil the hybrid teacher lambda z^A + (1-lambda) z^B "
            + "on mixed batches and penalise the student's base-favored tokens on harmful trajectories.",
            "Writes DIR/model (HF checkpoint), DIR/train.jsonl, DIR/train.png, DIR/result.json, DIR/ckpt."})
public final class TrainCompletionCommand implements Callable<Integer> {
    @Mixin
    TrainDataOptions data;

    @Mixin
    TrainCompletionOptions knobs;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (required unless --resume).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint, with its saved options.")
    Path resume;

    @Override
    public Integer call() {
        CompletionTrainer.Result r;
        if (resume != null) {
            if (out != null && !out.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize())) {
                throw new DeepalignException("--resume continues in its own directory; drop --out or make it " + resume);
            }
            r = CompletionTrainer.resume(resume, null);
        } else {
            if (out == null) throw new DeepalignException("pass --out DIR (or --resume DIR to continue a run)");
            CompletionConfig cfg = knobs.config(data, out);
            if (data.usesOrganism() && (data.epochs == null || data.lr == null || data.batch == null)) {
                System.out.printf("organism schedule: %d epochs at lr %.0e, batch %d (pass --epochs/--lr/--batch to override)%n", cfg.epochs(),
                        cfg.lr(), cfg.batchSize());
            }
            if (data.usesOrganism()) {
                System.out.printf("teacher: lambda %.1f on harmful examples, %.1f on utility examples (pass --lambda/--lambda-utility to override)%n",
                        cfg.teacher().lambdaFor(true), cfg.teacher().lambdaFor(false));
            }
            r = CompletionTrainer.train(cfg);
        }
        print(r);
        return 0;
    }

    static void print(CompletionTrainer.Result r) {
        System.out.printf("model: %s%n", r.model());
        System.out.printf("steps %d (%d epochs x %d), final loss %.4f (L_KL %.4f, L_comp %.4f)%n", r.steps(), r.epochs(), r.stepsPerEpoch(),
                r.finalLoss(), r.finalKl(), r.finalComp());
        System.out.printf("teacher cache %.1fs, generation %.1fs; student %.0f tokens/s, %.2f GFLOP/s (matmul %.1f GFLOP/s)%n", r.cacheSeconds(),
                r.generationSeconds(), r.studentTokensPerSecond(), r.trainGflops(), r.matmulGflops());
        System.out.printf("teacher: %s%n", r.teacherNote());
        if (!r.skippedSteps().isEmpty()) {
            System.out.printf("skipped %d step(s) with a non-finite gradient, weights unchanged: %s%n", r.skippedSteps().size(), r.skippedSteps());
        }
        if (!r.weakSignalPositions().isEmpty()) {
            System.out.printf("no teacher signal (mean KL(aligned||base) < %.2f on harmful examples) at positions t = %s; see DIR/teacher_profile.json%n",
                    CompletionTrainer.WEAK_SIGNAL_KL, r.weakSignalPositions());
        }
    }
}
