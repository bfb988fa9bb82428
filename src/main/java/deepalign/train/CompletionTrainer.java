package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.Progress;
import deepalign.data.Jsonl;
import deepalign.model.LanguageModel;
import deepalign.model.Transformer;
import deepalign.report.JsonOut;
import deepalign.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Targeted completion training (METHOD.md section 3), one readable loop: build the teacher cache once,
 * then for every step take a mixed batch (harmful + utility), run the student, L = L_KL + L_comp,
 * backward, AdamW ({@link CompletionStep}; with {@code recomputeTeacher} the teachers run on every batch instead
 * of the cache). The student starts from the aligned weights (or {@code student}), fully or through
 * LoRA adapters. Writes DIR/model, DIR/train.jsonl, DIR/train.png, DIR/ckpt and DIR/result.json.
 */
public final class CompletionTrainer {
    /** One optimizer step as logged. */
    public record StepLog(long step, int epoch, double loss, double kl, double comp, double lr, double tokensPerSecond, double gradNorm) {}

    /** Called after every step (and its checkpoint, if one was due); throwing stops the run there. */
    public interface Listener {
        void onStep(StepLog log);
    }

    /**
     * What a run did. Throughput counts 6 x params per student token (forward + backward) and
     * 2 x params per token per teacher model in the cache pass, next to the measured matmul rate. Without the
     * cache, cacheSeconds and cacheGflops are 0 and trainGflops also counts the teachers' 2 x params per token
     * per model, since their forwards are part of every step.
     */
    public record Result(Path out, Path model, long steps, int epochs, int stepsPerEpoch, double finalLoss, double finalKl,
                         double finalComp, double generationSeconds, double cacheSeconds, List<Double> epochSeconds,
                         double studentTokensPerSecond, double trainGflops, double cacheGflops, double matmulGflops,
                         long parameters, String teacherNote, long resumedFromStep, List<Integer> weakSignalPositions,
                         List<Long> skippedSteps) {}

    /** Below this mean KL_t(aligned || base) on harmful examples the hybrid teacher is the aligned model there. */
    public static final double WEAK_SIGNAL_KL = 0.01;

    /** AdamW as HF's Trainer sets it up for fine-tuning: no weight decay, beta2 0.999, clip at 1. */
    public static final AdamW.Config ADAM = new AdamW.Config(0.9, 0.999, 1e-8, 0.0, 1.0);

    private CompletionTrainer() {}

    public static Result train(CompletionConfig cfg) {
        return run(cfg, false, null);
    }

    /** Continues the run saved in {@code dir} with the config it was started with. */
    public static Result resume(Path dir, Listener listener) {
        return run(savedConfig(dir).withOut(dir), true, listener);
    }

    public static CompletionConfig savedConfig(Path dir) {
        JsonNode config = TrainCheckpoint.load(dir).config();
        try {
            return Jsonl.MAPPER.treeToValue(config, CompletionConfig.class);
        } catch (IOException e) {
            throw new DeepalignException(dir.resolve(TrainCheckpoint.DIR).resolve("state.json") + " holds no completion-training config: "
                    + e.getMessage(), e);
        }
    }

    /**
     * For pipelines run again into the same folder: the finished run of {@code cfg} in its out folder is reused, an
     * interrupted one (a checkpoint of the same config) resumed, otherwise training starts. See {@link FinishedRun}.
     */
    public static Result continueOrRun(CompletionConfig cfg) {
        Optional<Result> done = FinishedRun.find(cfg.out(), cfg, Result.class);
        if (done.isPresent()) return done.get();
        boolean interrupted = TrainCheckpoint.exists(cfg.out());
        if (interrupted) FinishedRun.requireSameConfig(cfg.out(), cfg, "an interrupted run");
        return run(cfg, interrupted, null);
    }

    public static Result run(CompletionConfig cfg, boolean resume, Listener listener) {
        Path out = cfg.out();
        TrainCheckpoint.Loaded ckpt = resume ? TrainCheckpoint.load(out) : null;
        if (!resume && TrainCheckpoint.exists(out)) {
            throw new DeepalignException(out + " already holds a training checkpoint; continue it with --resume " + out + " or choose another --out");
        }
        try (NDManager mgr = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            LanguageModel aligned = LanguageModel.load(cfg.aligned(), mgr);
            boolean needBase = cfg.teacherNeedsBase() || cfg.data().harmfulResponses() == TrainingData.Source.BASE;
            LanguageModel base = needBase ? loadSameVocab(cfg.base(), "base", aligned, mgr) : null;
            List<TrainingData.Pair> harmful = TrainingData.harmful(cfg.data(), aligned, base, out.resolve(TrainingData.HARMFUL_RESPONSES));
            List<TrainingData.Pair> utility = TrainingData.utility(cfg.data(), aligned, out.resolve("utility_responses.jsonl"));
            double genSeconds = (System.nanoTime() - t0) / 1e9;
            List<Sequence> seqs = new ArrayList<>();
            for (TrainingData.Pair p : harmful) seqs.add(p.sequence());
            for (TrainingData.Pair p : utility) seqs.add(p.sequence());
            Transformer teacherBase = cfg.teacherNeedsBase() ? base.transformer() : null;
            TeacherCache cache = cfg.recomputeTeacher() ? null : TeacherCache.build(teacherBase, aligned.transformer(), seqs, aligned.padId(),
                    cfg.teacher(), true, harmful.size());
            if (base != null && (cache != null || teacherBase == null)) base.close();
            List<Integer> weak = cache == null ? List.of() : writeProfile(out, cache, harmful.size(), utility.size());

            // Once the teacher is cached the aligned weights are not needed, so they become the student; without
            // the cache they stay a frozen teacher and the student is a copy.
            LanguageModel student;
            if (cfg.student() != null) {
                student = loadSameVocab(cfg.student(), "student", aligned, mgr);
                if (cache != null) aligned.close();
            } else {
                student = cache != null ? aligned : aligned.copy(mgr);
            }
            MixedBatches batches = new MixedBatches(harmful.size(), utility.size(), cfg.batchSize(), cfg.harmfulFraction(), cfg.seed());
            String note = cfg.teacher().truncationNote(student.config().vocabSize());
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("method", "targeted completion (METHOD.md section 3)");
            header.put("teacher_truncation", note);
            header.put("steps_per_epoch", batches.stepsPerEpoch());
            header.put("harmful_examples", harmful.size());
            header.put("utility_examples", utility.size());
            header.put("config", cfg);
            JsonOut.writeAtomic(out.resolve("config.json"), header);
            TrainLog log = new TrainLog(out.resolve("train.jsonl"), header, ckpt == null ? -1 : ckpt.step());
            Teacher teacher = new Teacher(cache, teacherBase, cache == null ? aligned.transformer() : null);
            return loop(cfg, student, seqs, harmful.size(), teacher, batches, log, ckpt, listener, genSeconds, note, weak, mgr);
        }
    }

    /** Where the teacher comes from: the cache, or (cache null) the frozen base (may be null) and aligned models. */
    private record Teacher(TeacherCache cache, Transformer base, Transformer aligned) {}

    private static Result loop(CompletionConfig cfg, LanguageModel student, List<Sequence> seqs, int harmfulCount, Teacher teacher,
                               MixedBatches batches, TrainLog log, TrainCheckpoint.Loaded ckpt, Listener listener, double genSeconds,
                               String note, List<Integer> weak, NDManager mgr) {
        Path out = cfg.out();
        Transformer model = student.transformer();
        LoraAdapters lora = cfg.loraRank() > 0 ? new LoraAdapters(model, cfg.loraRank(), cfg.loraScaleAlpha(), cfg.seed(), mgr) : null;
        Map<String, NDArray> trainable = lora == null ? model.parameters() : lora.parameters();
        AdamW opt = new AdamW(trainable, ADAM);
        CompletionStep stepper = teacher.cache() != null
                ? CompletionStep.cached(model, lora, seqs, student.padId(), cfg, teacher.cache())
                : CompletionStep.recomputing(model, lora, seqs, student.padId(), cfg, teacher.base(), teacher.aligned());
        long start = 0;
        if (ckpt != null) {
            TrainCheckpoint.restore(trainable, ckpt.weights(), out);
            opt.restore(ckpt.step(), ckpt.firstMoments(), ckpt.secondMoments());
            start = ckpt.step();
        }
        for (NDArray p : trainable.values()) p.setRequiresGradient(true);
        int perEpoch = batches.stepsPerEpoch();
        long total = (long) cfg.epochs() * perEpoch;
        long params = model.config().parameterCount();
        List<Double> epochSeconds = new ArrayList<>();
        double trainSeconds = 0;
        long studentTokens = 0;
        List<Long> skipped = new ArrayList<>();
        int badInARow = 0;
        long epochStart = System.nanoTime();
        try (Progress bar = Progress.start("completion training", total)) {
            bar.stepBy(start);
            for (long step = start; step < total; step++) {
                int epoch = (int) (step / perEpoch) + 1;
                List<Integer> ids = new ArrayList<>(batches.harmful(step));
                int h = ids.size();
                for (int u : batches.utility(step)) ids.add(harmfulCount + u);
                double lr = Schedule.warmupCosine((int) step, (int) total, cfg.lr(), cfg.warmupFraction());
                long ts = System.nanoTime();
                CompletionStep.Terms t = stepper.run(ids, h);
                double[] terms = {t.loss(), t.kl(), t.comp()};
                long tokens = t.tokens();
                if (!Double.isFinite(terms[0])) {
                    AdamW.zeroGradients(trainable.values());
                    throw new DeepalignException("completion training: the loss became " + terms[0] + " at step " + (step + 1) + " (epoch " + epoch
                            + "); nothing after step " + step + " was applied"
                            + (TrainCheckpoint.exists(out) ? ", the last good checkpoint is " + out.resolve(TrainCheckpoint.DIR) : "")
                            + "; lower --lr");
                }
                double norm = opt.step(lr);
                boolean epochEnd = (step + 1) % perEpoch == 0;
                StepLog last = null;
                if (Double.isFinite(norm)) {
                    badInARow = 0;
                    double secs = (System.nanoTime() - ts) / 1e9;
                    trainSeconds += secs;
                    studentTokens += tokens;
                    last = new StepLog(step + 1, epoch, terms[0], terms[1], terms[2], lr, tokens / secs, norm);
                    log.step(line(last));
                    bar.extra(String.format("epoch %d loss %.4f kl %.4f comp %.4f", epoch, terms[0], terms[1], terms[2]));
                    if (epochEnd || (cfg.checkpointEvery() > 0 && (step + 1) % cfg.checkpointEvery() == 0)) {
                        TrainCheckpoint.save(out, trainable, opt, step + 1, epoch, cfg);
                    }
                } else {
                    // AdamW skipped the update (as a loss scaler skips an overflowing batch): the weights are those of
                    // the last applied step. An isolated overflow is noise; a run of them means the student diverged.
                    skipped.add(step + 1);
                    if (++badInARow >= Sft.MAX_BAD_STEPS) {
                        throw new DeepalignException("completion training: the gradient became " + norm + " at step " + (step + 1) + " (epoch " + epoch
                                + ", first in " + opt.lastNonFiniteParameter() + "), " + Sft.MAX_BAD_STEPS + " steps in a row; none of them was applied"
                                + (TrainCheckpoint.exists(out) ? ", the last good checkpoint is " + out.resolve(TrainCheckpoint.DIR) : "")
                                + "; lower --lr");
                    }
                    System.err.println("completion training: skipped step " + (step + 1) + " (gradient norm " + norm + ", first in "
                            + opt.lastNonFiniteParameter() + ")");
                }
                bar.step();
                if (epochEnd) {
                    epochSeconds.add((System.nanoTime() - epochStart) / 1e9);
                    epochStart = System.nanoTime();
                }
                if (last != null && listener != null) listener.onStep(last);
            }
        } finally {
            for (NDArray p : trainable.values()) p.setRequiresGradient(false);
        }
        Path modelDir = out.resolve("model");
        if (lora == null) {
            student.save(modelDir);
        } else {
            try (NDManager merged = NDManager.newBaseManager()) {
                new LanguageModel(student.dir(), lora.merged(model, merged), student.tokenizer(), student.chat()).save(modelDir);
            }
        }
        log.plot(out.resolve("train"), "targeted completion training", List.of("loss", "l_kl", "l_comp"));
        int teachers = cfg.teacherNeedsBase() ? 2 : 1;
        TeacherCache cache = teacher.cache();
        // without the cache every step also runs the teachers' forwards over the same tokens
        double stepFlopsPerToken = (6.0 + (cache == null ? 2.0 * teachers : 0)) * params;
        double matmul = Throughput.matmulGflopsOnce(model.manager().getDevice(), 1024, 5);
        if (log.steps().isEmpty()) throw new DeepalignException("completion training applied no step (every one was skipped); lower --lr");
        Map<String, Object> last = log.steps().get(log.steps().size() - 1);
        Result r = new Result(out, modelDir, total, cfg.epochs(), perEpoch,
                ((Number) last.get("loss")).doubleValue(), ((Number) last.get("l_kl")).doubleValue(), ((Number) last.get("l_comp")).doubleValue(),
                genSeconds, cache == null ? 0 : cache.seconds(), epochSeconds, trainSeconds > 0 ? studentTokens / trainSeconds : 0,
                Throughput.gflops(stepFlopsPerToken, studentTokens, trainSeconds),
                cache == null ? 0 : Throughput.gflops(2.0 * params * teachers, cache.tokens(), cache.seconds()), matmul, params, note, ckpt == null ? 0 : ckpt.step(), weak,
                List.copyOf(skipped));
        JsonOut.writeAtomic(out.resolve("result.json"), r);
        return r;
    }

    static Map<String, Object> line(StepLog s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", s.step());
        m.put("epoch", s.epoch());
        m.put("loss", s.loss());
        m.put("l_kl", s.kl());
        m.put("l_comp", s.comp());
        m.put("lr", s.lr());
        m.put("tokens_per_s", s.tokensPerSecond());
        m.put("grad_norm", s.gradNorm());
        return m;
    }

    /** Loads a model that must share the aligned model's vocabulary (METHOD.md: never guess). */
    static LanguageModel loadSameVocab(Path dir, String role, LanguageModel aligned, NDManager mgr) {
        if (dir == null) throw new DeepalignException("the " + role + " model is needed but no directory was given");
        LanguageModel m = LanguageModel.load(dir, mgr);
        String diff = Tokenizer.firstDifference(aligned.tokenizer(), m.tokenizer());
        if (diff != null) throw new DeepalignException("the " + role + " and aligned models must share one vocabulary. " + diff);
        if (m.config().vocabSize() != aligned.config().vocabSize()) {
            throw new DeepalignException(dir.resolve("config.json") + " has vocab_size " + m.config().vocabSize() + " but "
                    + aligned.dir().resolve("config.json") + " has " + aligned.config().vocabSize());
        }
        return m;
    }

    /**
     * DIR/teacher_profile.json: per-position means of KL(A||B), risk, |B_t|, m^B_t and the kept teacher
     * mass, harmful vs utility. Returns the harmful positions t (1-based) whose mean KL(A||B) is below
     * {@link #WEAK_SIGNAL_KL}: there the hybrid teacher barely differs from the aligned model (METHOD.md's
     * precondition), reported rather than hidden.
     */
    static List<Integer> writeProfile(Path out, TeacherCache cache, int harmful, int utility) {
        int tMax = 64;
        Map<String, Object> json = new LinkedHashMap<>();
        List<List<Integer>> sets = List.of(range(0, harmful), range(harmful, harmful + utility));
        String[] names = {"harmful", "utility"};
        for (int i = 0; i < 2; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kl_aligned_base", finite(cache.profile(sets.get(i), tMax, (e, t) -> (double) e.klAlignedBase()[t])));
            m.put("risk_aligned_mass", finite(cache.profile(sets.get(i), tMax, (e, t) -> (double) e.risk()[t])));
            m.put("base_mass", finite(cache.profile(sets.get(i), tMax, (e, t) -> (double) e.baseMass()[t])));
            m.put("teacher_kept_mass", finite(cache.profile(sets.get(i), tMax, (e, t) -> (double) e.keptMass()[t])));
            m.put("favored_count", finite(cache.profile(sets.get(i), tMax, (e, t) -> (double) e.favored()[t].length)));
            json.put(names[i], m);
        }
        json.put("positions", "t = 1.." + tMax + " (index 0 is t = 1); null where no response is that long");
        double[] kl = cache.profile(sets.get(0), tMax, (e, t) -> (double) e.klAlignedBase()[t]);
        List<Integer> weak = new ArrayList<>();
        for (int t = 0; t < tMax; t++) if (Double.isFinite(kl[t]) && kl[t] < WEAK_SIGNAL_KL) weak.add(t + 1);
        json.put("weak_signal_positions", weak);
        json.put("weak_signal_threshold", WEAK_SIGNAL_KL);
        JsonOut.writeAtomic(out.resolve("teacher_profile.json"), json);
        return weak;
    }

    private static List<Double> finite(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double d : v) out.add(Double.isFinite(d) ? d : null);
        return out;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add(i);
        return out;
    }

    /** The cached teacher of one batch as arrays aligned with the student's response rows. */
    record TeacherRows(NDArray topIdx, NDArray topLogp, NDArray favIdx, NDArray favMask, NDArray alignedFav, NDArray alpha,
                       int rows, int harmfulRows) {
        /** Entries {@code ids} in batch order; the first {@code harmful} of them are harmful examples. */
        static TeacherRows of(NDManager m, TeacherCache cache, List<Integer> ids, int harmful, CompletionLoss.Config loss) {
            int n = 0;
            int k = 1;
            int width = cache.get(ids.get(0)).m();
            for (int j = 0; j < ids.size(); j++) {
                TeacherCache.Entry e = cache.get(ids.get(j));
                n += e.positions();
                if (j < harmful) for (int[] f : e.favored()) k = Math.max(k, f.length);
            }
            long[] top = new long[n * width];
            float[] lp = new float[n * width];
            long[] fav = new long[n * k];
            float[] mask = new float[n * k];
            float[] af = new float[n * k];
            float[] alpha = new float[n];
            int row = 0;
            int harmfulRows = 0;
            for (int j = 0; j < ids.size(); j++) {
                TeacherCache.Entry e = cache.get(ids.get(j));
                for (int t = 0; t < e.positions(); t++, row++) {
                    for (int q = 0; q < width; q++) {
                        top[row * width + q] = e.topIdx()[t * width + q];
                        lp[row * width + q] = e.topLogp()[t * width + q];
                    }
                    if (j >= harmful) continue;
                    harmfulRows++;
                    alpha[row] = CompletionLoss.adaptiveWeight(e.risk()[t], loss.alphaBase(), loss.gamma());
                    int[] f = e.favored()[t];
                    for (int q = 0; q < f.length; q++) {
                        fav[row * k + q] = f[q];
                        mask[row * k + q] = 1f;
                        af[row * k + q] = e.alignedFavored()[t][q];
                    }
                }
            }
            return new TeacherRows(m.create(top, new Shape(n, width)), m.create(lp, new Shape(n, width)), m.create(fav, new Shape(n, k)),
                    m.create(mask, new Shape(n, k)), m.create(af, new Shape(n, k)), m.create(alpha), n, harmfulRows);
        }

        /** The loss of these rows as a whole batch. */
        CompletionLoss.Terms loss(NDArray student, CompletionConfig cfg) {
            return loss(student, cfg, rows, harmfulRows);
        }

        /** The loss of these rows as a share of a batch of {@code batchRows} rows, {@code batchHarmfulRows} harmful. */
        CompletionLoss.Terms loss(NDArray student, CompletionConfig cfg, int batchRows, int batchHarmfulRows) {
            NDArray kl = CompletionLoss.distillKl(student, topIdx, topLogp, cfg.teacher().tau(), cfg.teacher().tail());
            NDArray pen = null;
            if (cfg.loss().enabled() && harmfulRows > 0) {
                pen = cfg.loss().penalty() == CompletionLoss.Penalty.PROB_L2
                        ? CompletionLoss.probL2(student, favIdx, favMask)
                        : CompletionLoss.logitL2(student, favIdx, favMask, alignedFav, cfg.loss().margin());
            }
            return CompletionLoss.combine(kl, pen, alpha, batchRows, batchHarmfulRows);
        }
    }
}
