package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import deepalign.model.Transformer;
import deepalign.model.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * The work of one targeted-completion step up to the optimizer update: student forward on a mixed batch,
 * L = L_KL + L_comp against the teacher, backward. The teacher comes from the cache built once before
 * training, or is recomputed: forwards of the frozen base and aligned models on this batch alone, the same
 * numbers (up to the rounding of a different padding) paid every step. {@link CompletionTrainer} and
 * {@code deepalign bench completion} both run this code, so the benchmark times what training does.
 */
public final class CompletionStep {
    /** L, L_KL and L_comp of the step, and the real (unpadded) input tokens the student ran on. */
    public record Terms(double loss, double kl, double comp, long tokens) {}

    private final Transformer model;
    private final LoraAdapters lora;
    private final List<Sequence> seqs;
    private final int padId;
    private final CompletionConfig cfg;
    private final TeacherCache cache;
    private final Transformer base;
    private final Transformer aligned;

    private CompletionStep(Transformer model, LoraAdapters lora, List<Sequence> seqs, int padId, CompletionConfig cfg, TeacherCache cache,
                           Transformer base, Transformer aligned) {
        this.model = model;
        this.lora = lora;
        this.seqs = seqs;
        this.padId = padId;
        this.cfg = cfg;
        this.cache = cache;
        this.base = base;
        this.aligned = aligned;
    }

    /**
     * Steps against {@code cache}, whose entry i belongs to {@code seqs.get(i)}.
     *
     * @param lora null for full fine-tuning of {@code model}
     */
    public static CompletionStep cached(Transformer model, LoraAdapters lora, List<Sequence> seqs, int padId, CompletionConfig cfg,
                                        TeacherCache cache) {
        return new CompletionStep(model, lora, seqs, padId, cfg, cache, null, null);
    }

    /**
     * Steps that run the frozen teachers on every batch. {@code base} may be null when the teacher does not
     * need it ({@link CompletionConfig#teacherNeedsBase()} false); {@code aligned} must not be the student.
     */
    public static CompletionStep recomputing(Transformer model, LoraAdapters lora, List<Sequence> seqs, int padId, CompletionConfig cfg,
                                             Transformer base, Transformer aligned) {
        return new CompletionStep(model, lora, seqs, padId, cfg, null, base, aligned);
    }

    /** Whether the teacher is recomputed every step. */
    public boolean recomputes() {
        return cache == null;
    }

    /**
     * Forward and backward on the sequences {@code ids} (indices into the training set), the first
     * {@code harmful} of them harmful. Gradients are left on the trainable parameters for the optimizer.
     * The batch is split into one shard per worker; each back-propagates its share of the batch's loss.
     */
    public Terms run(List<Integer> ids, int harmful) {
        int batchRows = responseRows(ids);
        int batchHarmful = responseRows(ids.subList(0, Math.min(harmful, ids.size())));
        List<Callable<Terms>> shards = new ArrayList<>();
        int from = 0;
        for (List<Integer> part : Workers.split(ids, Workers.count())) {
            int h = Math.max(0, Math.min(part.size(), harmful - from));
            shards.add(() -> shard(part, h, batchRows, batchHarmful));
            from += part.size();
        }
        Terms sum = new Terms(0, 0, 0, 0);
        for (Terms t : Workers.map(shards)) sum = new Terms(sum.loss() + t.loss(), sum.kl() + t.kl(), sum.comp() + t.comp(), sum.tokens() + t.tokens());
        return sum;
    }

    /** Response positions (loss rows) of the sequences {@code ids}. */
    private int responseRows(List<Integer> ids) {
        return ids.stream().mapToInt(i -> seqs.get(i).responseTokens()).sum();
    }

    private Terms shard(List<Integer> ids, int harmful, int batchRows, int batchHarmfulRows) {
        List<Sequence> chunk = new ArrayList<>();
        for (int i : ids) chunk.add(seqs.get(i));
        try (NDManager m = NDManager.newBaseManager(model.manager().getDevice());
                Batch batch = Batch.of(m, chunk, padId);
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            long tokens = (long) batch.mask().sum().getFloat();
            CompletionTrainer.TeacherRows teacher = cache != null
                    ? CompletionTrainer.TeacherRows.of(m, cache, ids, harmful, cfg.loss())
                    : CompletionTrainer.TeacherRows.of(m, TeacherCache.build(base, aligned, chunk, padId, cfg.teacher(), false, harmful),
                            IntStream.range(0, chunk.size()).boxed().toList(), harmful, cfg.loss());
            NDArray rows = TeacherCache.responseRows(batch);
            try (Backprop.Recording rec = Backprop.record()) {
                Transformer net = lora == null ? model : lora.effective(model);
                NDArray s = TeacherCache.rowsOf(net.forward(batch.inputs(), batch.mask(), null), rows);
                if (s.getShape().get(0) != teacher.rows()) throw new IllegalStateException("teacher and batch disagree on response positions");
                CompletionLoss.Terms t = teacher.loss(s, cfg, batchRows, batchHarmfulRows);
                Backprop.backward(t.total());
                return new Terms(t.total().getFloat(), t.kl().getFloat(), t.comp().getFloat(), tokens);
            }
        }
    }
}
