package deepalign.train;

import deepalign.DeepalignException;
import java.nio.file.Path;

/**
 * One targeted-completion run (METHOD.md section 3). Defaults follow the paper where it is explicit
 * (lambda 1.2, tau 2, k 100, harmful fraction 0.4, 15 epochs at lr 1e-5 for 7-8B models) and this
 * project's choices elsewhere (p_min, M, alpha_base, gamma, margin); small models need their own
 * epochs and lr.
 *
 * @param base            base model directory (may be null when lambda = 1, L_comp is off and responses come from the dataset)
 * @param aligned         aligned model directory (teacher, and the student's start unless {@code student} is set)
 * @param student         where the student starts; null = the aligned model (recovery stage 2 starts from stage 1)
 * @param out             run directory: model/, train.jsonl, train.png, ckpt/, result.json
 * @param warmupFraction  linear warm-up share of the steps, then cosine decay to 10% of lr
 * @param loraRank        0 = full fine-tuning, else LoRA adapters of this rank
 * @param loraAlpha       LoRA alpha (scale alpha / rank); 0 means 2 * rank
 * @param checkpointEvery steps between checkpoints (0 = at epoch ends only)
 * @param recomputeTeacher false (default): the teacher cache is built once before training; true: the frozen base and
 *                        aligned models run on every batch instead (same loss, more compute, no cache memory, no
 *                        teacher_profile.json); for measuring what the cache saves, or data too large to cache
 */
public record CompletionConfig(
        Path base,
        Path aligned,
        Path student,
        Path out,
        TrainingData.Config data,
        TeacherCache.Config teacher,
        CompletionLoss.Config loss,
        int epochs,
        double lr,
        double warmupFraction,
        int batchSize,
        double harmfulFraction,
        long seed,
        int loraRank,
        double loraAlpha,
        int checkpointEvery,
        boolean recomputeTeacher) {

    /** The paper's schedule for 7-8B models (15 epochs, AdamW at 1e-5). */
    public static final int PAPER_EPOCHS = 15;
    public static final double PAPER_LR = 1e-5;
    /** The built-in organism's schedule, picked by measurement (see the train package docs). */
    public static final int ORGANISM_EPOCHS = 3;
    public static final double ORGANISM_LR = 1e-3;
    public static final int ORGANISM_BATCH = 32;
    /**
     * The built-in organism's teacher weights: lambda 3 on the harmful examples, 1 (the aligned model) on the utility
     * examples. Chosen by a rule fixed before looking at the reported half: on held-out prompts 1-120 of seeds 0, 1 and 2,
     * the smallest of lambda 1.2, 3 / 1 and 5 / 1 that cuts prefill-10 ASR by 80% with utility within 3 points, else the
     * largest cut within 3 points; 3 / 1 on every seed (docs/experiments.md, "teacher dose"). METHOD.md's 1.2 on every example stays
     * the default for other models.
     */
    public static final double ORGANISM_LAMBDA = 3.0;
    public static final double ORGANISM_LAMBDA_UTILITY = 1.0;
    /** Batch size when none is given for other models (the paper does not state its own). */
    public static final int DEFAULT_BATCH = 16;

    public CompletionConfig {
        if (epochs < 1) throw new DeepalignException("--epochs must be at least 1, got " + epochs);
        if (!(lr > 0)) throw new DeepalignException("--lr must be positive, got " + lr);
        if (!(teacher.tau() > 0)) throw new DeepalignException("--tau must be positive, got " + teacher.tau());
        if (teacher.topM() < 1 || teacher.k() < 1) throw new DeepalignException("--top-m and --k must be at least 1");
        if (loraRank < 0) throw new DeepalignException("--lora-rank must be >= 0, got " + loraRank);
        if (checkpointEvery < 0) throw new DeepalignException("--checkpoint-every must be >= 0, got " + checkpointEvery);
    }

    /** With the teacher cache (the default). */
    public CompletionConfig(Path base, Path aligned, Path student, Path out, TrainingData.Config data, TeacherCache.Config teacher,
                            CompletionLoss.Config loss, int epochs, double lr, double warmupFraction, int batchSize, double harmfulFraction,
                            long seed, int loraRank, double loraAlpha, int checkpointEvery) {
        this(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize, harmfulFraction, seed, loraRank,
                loraAlpha, checkpointEvery, false);
    }

    /** The paper's recipe on the given models and data, writing to {@code out}. */
    public static CompletionConfig defaults(Path base, Path aligned, Path harmful, Path utility, Path out) {
        return new CompletionConfig(base, aligned, null, out, TrainingData.Config.defaults(harmful, utility), TeacherCache.Config.defaults(),
                CompletionLoss.Config.defaults(), PAPER_EPOCHS, PAPER_LR, 0.05, DEFAULT_BATCH, 0.4, 0, 0, 0, 0);
    }

    /**
     * The built-in organism's recipe on the given files: its schedule (ORGANISM_EPOCHS at ORGANISM_LR, batch
     * ORGANISM_BATCH) and its teacher weights (ORGANISM_LAMBDA, ORGANISM_LAMBDA_UTILITY).
     */
    public static CompletionConfig organismRecipe(Path base, Path aligned, Path harmful, Path utility, Path out) {
        CompletionConfig c = defaults(base, aligned, harmful, utility, out).withSchedule(ORGANISM_EPOCHS, ORGANISM_LR, ORGANISM_BATCH);
        return c.withTeacher(c.teacher().withLambda(ORGANISM_LAMBDA).withLambdaUtility(ORGANISM_LAMBDA_UTILITY));
    }

    public double loraScaleAlpha() {
        return loraAlpha > 0 ? loraAlpha : 2.0 * loraRank;
    }

    /** Whether the base model's logits are needed by the teacher (hybrid extrapolation or B_t). */
    public boolean teacherNeedsBase() {
        return loss.enabled() || teacher.lambdaFor(true) != 1.0 || teacher.lambdaFor(false) != 1.0;
    }

    public CompletionConfig withSchedule(int epochs, double lr, int batchSize) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recomputeTeacher);
    }

    public CompletionConfig withOut(Path out) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recomputeTeacher);
    }

    public CompletionConfig withStudent(Path student) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recomputeTeacher);
    }

    public CompletionConfig withTeacher(TeacherCache.Config teacher) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recomputeTeacher);
    }

    public CompletionConfig withLoss(CompletionLoss.Config loss) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recomputeTeacher);
    }

    public CompletionConfig withData(TrainingData.Config data) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recomputeTeacher);
    }

    public CompletionConfig withLora(int rank, double alpha) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, rank, alpha, checkpointEvery, recomputeTeacher);
    }

    public CompletionConfig withRun(long seed, int checkpointEvery, double harmfulFraction) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recomputeTeacher);
    }

    /** {@code true}: run the frozen teachers on every batch instead of building the teacher cache. */
    public CompletionConfig withRecomputedTeacher(boolean recompute) {
        return new CompletionConfig(base, aligned, student, out, data, teacher, loss, epochs, lr, warmupFraction, batchSize,
                harmfulFraction, seed, loraRank, loraAlpha, checkpointEvery, recompute);
    }
}
