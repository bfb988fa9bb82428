package deepalign.train;

import deepalign.DeepalignException;
import deepalign.report.JsonOut;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recovery after a fine-tuning attack (METHOD.md section 3): stage 1 distils the broken model back to
 * the aligned model on the mixed data (teacher = aligned, lambda = 1, L_KL only); stage 2 runs targeted
 * completion from the stage-1 student. DIR/stage1 and DIR/stage2 are ordinary completion runs; a finished stage
 * of the same config is reused and an interrupted one resumed, so rerunning continues ({@link FinishedRun}). The final
 * model is copied to DIR/model.
 *
 * @see CompletionTrainer
 */
public final class Recovery {
    /**
     * @param broken       the attacked model (stage 1's student)
     * @param completion   stage 2's run (base, aligned, data, schedule); its out is the recovery directory
     * @param stage1Epochs epochs of stage 1 (the paper: about as long as stage 2)
     */
    public record Config(Path broken, CompletionConfig completion, int stage1Epochs) {}

    public record Result(Path out, Path model, CompletionTrainer.Result stage1, CompletionTrainer.Result stage2) {}

    private Recovery() {}

    public static Result run(Config cfg) {
        Path out = cfg.completion().out();
        CompletionConfig c = cfg.completion();
        CompletionConfig s1 = c.withStudent(cfg.broken()).withOut(out.resolve("stage1"))
                .withTeacher(c.teacher().withLambda(1.0))
                .withLoss(CompletionLoss.Config.disabled())
                .withSchedule(cfg.stage1Epochs(), c.lr(), c.batchSize());
        CompletionTrainer.Result r1 = stage(s1);
        CompletionConfig s2 = c.withStudent(r1.model()).withOut(out.resolve("stage2"));
        TrainingData.reuseResponses(s1.out(), s2.out());
        CompletionTrainer.Result r2 = stage(s2);
        Path model = out.resolve("model");
        try {
            Files.createDirectories(model);
            try (var files = Files.list(r2.model())) {
                for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new DeepalignException("cannot copy the recovered model to " + model + ": " + e.getMessage(), e);
        }
        Result res = new Result(out, model, r1, r2);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("broken", cfg.broken());
        json.put("stage1", r1);
        json.put("stage2", r2);
        JsonOut.writeAtomic(out.resolve("recover.json"), json);
        return res;
    }

    private static CompletionTrainer.Result stage(CompletionConfig cfg) {
        return CompletionTrainer.continueOrRun(cfg);
    }
}
