package deepalign.cli;

import deepalign.train.CompletionConfig;
import deepalign.train.CompletionLoss;
import deepalign.train.TeacherCache;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The knobs of targeted completion (METHOD.md section 3), shared by `train completion` and `train recover`. */
public final class TrainCompletionOptions {
    @Option(names = "--lambda", paramLabel = "L",
            description = "Hybrid teacher z^H = L z^A + (1-L) z^B. Default: 1.2 (METHOD.md); 3 for the built-in organism (measured).")
    Double lambda;

    @Option(names = "--lambda-utility", paramLabel = "L",
            description = "Hybrid weight on the utility examples only. Default: --lambda on every example (METHOD.md); 1 for the "
                    + "built-in organism. Not the paper's: a separate weight keeps the extrapolation away from the base off benign answers.")
    Double lambdaUtility;

    @Option(names = "--tau", defaultValue = "2.0", paramLabel = "T", description = "Distillation temperature. Default: ${DEFAULT-VALUE}.")
    double tau;

    @Option(names = "--top-m", defaultValue = "64", paramLabel = "M",
            description = "Teacher entries kept per position (KL over those, renormalised; >= vocab is exact). Default: ${DEFAULT-VALUE}.")
    int topM;

    @Option(names = "--teacher-tail", defaultValue = "bucket", paramLabel = "HOW",
            description = "Teacher mass outside the top-M: bucket (one 'other tokens' outcome, default) or renormalise.")
    String teacherTail;

    @Option(names = "--k", defaultValue = "100", paramLabel = "K", description = "Candidates of the base-favored set B_t. Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--p-min", defaultValue = "1e-4", paramLabel = "P", description = "Minimum base probability in B_t. Default: ${DEFAULT-VALUE}.")
    double pMin;

    @Option(names = "--alpha-base", defaultValue = "1.0", paramLabel = "A", description = "alpha_t = A (1 + gamma risk_t). Default: ${DEFAULT-VALUE}.")
    double alphaBase;

    @Option(names = "--gamma", defaultValue = "1.0", paramLabel = "G", description = "Risk weight of alpha_t. Default: ${DEFAULT-VALUE}.")
    double gamma;

    @Option(names = "--penalty", defaultValue = "prob-l2", paramLabel = "FORM", description = "prob-l2 or logit-l2. Default: ${DEFAULT-VALUE}.")
    String penalty;

    @Option(names = "--margin", defaultValue = "1.0", paramLabel = "NATS", description = "Margin of logit-l2. Default: ${DEFAULT-VALUE}.")
    double margin;

    @Option(names = "--lora-rank", defaultValue = "0", paramLabel = "R", description = "0 = full fine-tuning (default), else LoRA of rank R.")
    int loraRank;

    @Option(names = "--lora-alpha", defaultValue = "0", paramLabel = "A", description = "LoRA alpha; 0 = 2 x rank (default).")
    double loraAlpha;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
            description = "Steps between checkpoints in DIR/ckpt; 0 = epoch ends only (default).")
    int checkpointEvery;

    @Option(names = "--warmup", defaultValue = "0.05", paramLabel = "F", description = "Warm-up share of the steps. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--student", paramLabel = "DIR",
            description = "Where the student starts (same vocabulary). Default: the aligned model, as METHOD.md section 3 has it; "
                    + "another checkpoint separates what the method does from what the aligned teacher knows.")
    Path student;

    @Option(names = "--no-teacher-cache",
            description = "Run the frozen base and aligned models on every batch instead of caching the teacher once (same loss, more compute).")
    boolean noTeacherCache;

    /** The hybrid weight: as given, else the organism's measured one on the organism, else METHOD.md's. */
    double lambda(TrainDataOptions d) {
        return lambda != null ? lambda : d.usesOrganism() ? CompletionConfig.ORGANISM_LAMBDA : TeacherCache.Config.defaults().lambda();
    }

    /** The utility examples' weight: as given; on the organism (with --lambda left to its default) its measured one; else none. */
    Double lambdaUtility(TrainDataOptions d) {
        if (lambdaUtility != null) return lambdaUtility;
        return d.usesOrganism() && lambda == null ? CompletionConfig.ORGANISM_LAMBDA_UTILITY : null;
    }

    CompletionConfig config(TrainDataOptions d, Path out) {
        return new CompletionConfig(d.baseDir(), d.alignedDir(), student, out, d.data(),
                new TeacherCache.Config(lambda(d), tau, topM, TeacherCache.Tail.parse(teacherTail), k, pMin, 16, lambdaUtility(d)),
                new CompletionLoss.Config(true, CompletionLoss.Penalty.parse(penalty), alphaBase, gamma, margin),
                d.epochs(), d.lr(), warmup, d.batch(), d.harmfulFraction, d.seed, loraRank, loraAlpha, checkpointEvery, noTeacherCache);
    }
}
