package deepalign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import deepalign.Progress;
import deepalign.train.Batch;
import deepalign.train.Sequence;
import java.util.ArrayList;
import java.util.List;

/**
 * One forward of each model over left-padded batches of scored sequences, handing on only the rows
 * that predict response tokens. In a {@link Batch} the logits at input slot j predict target slot j;
 * response token t (1-based) of a row whose prompt has P tokens is target index P + t - 2 of the
 * unpadded sequence, shifted right by the row's padding.
 */
final class PairLogits {
    /**
     * The response rows of one batch.
     *
     * @param base     base logits [N, V], one row per (sequence, position)
     * @param aligned  aligned logits [N, V]
     * @param sequence index into the caller's list for each row
     * @param position response position (1-based) for each row
     */
    record Rows(NDArray base, NDArray aligned, int[] sequence, int[] position) {}

    interface Consumer {
        void accept(Rows rows);
    }

    private PairLogits() {}

    /** Logits held per model and batch when the batch size is automatic: 2^27 floats, 512 MiB. */
    static final long AUTO_LOGITS_BUDGET = 1L << 27;
    static final int AUTO_MAX_BATCH = 256;

    /**
     * Sequences are batched in order of length, so that little compute goes to padding; rows still
     * report their index in {@code seqs}. {@code batchSize <= 0} picks the largest batch whose
     * [B, L, V] logits fit {@link #AUTO_LOGITS_BUDGET}.
     */
    static void forEachBatch(ModelPair pair, List<Responses.Scored> seqs, int batchSize, String label, Consumer consumer) {
        int pad = pair.aligned().padId();
        Integer[] order = new Integer[seqs.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> seqs.get(i).prompt().length + seqs.get(i).response().length));
        int longest = seqs.stream().mapToInt(s -> s.prompt().length + s.response().length).max().orElse(1);
        int batch = batchSize > 0 ? batchSize : autoBatch(longest, pair.vocabSize());
        try (Progress bar = Progress.start(label, seqs.size())) {
            for (int start = 0; start < order.length; start += batch) {
                int end = Math.min(order.length, start + batch);
                List<Sequence> chunk = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    Responses.Scored s = seqs.get(order[i]);
                    chunk.add(Sequence.promptResponse(s.prompt(), s.response()));
                }
                try (NDManager m = NDManager.newBaseManager();
                        Batch b = Batch.of(m, chunk, pad);
                        NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    List<Integer> slots = new ArrayList<>();
                    List<Integer> seqIdx = new ArrayList<>();
                    List<Integer> pos = new ArrayList<>();
                    for (int r = 0; r < chunk.size(); r++) {
                        Responses.Scored s = seqs.get(order[start + r]);
                        int n = s.prompt().length + s.response().length - 1; // input slots of this row
                        int offset = b.length() - n;
                        for (int t = 1; t <= s.response().length; t++) {
                            slots.add(r * b.length() + offset + s.prompt().length + t - 2);
                            seqIdx.add(order[start + r]);
                            pos.add(t);
                        }
                    }
                    NDArray index = m.create(slots.stream().mapToLong(Integer::longValue).toArray());
                    NDArray zb = rows(pair.base().transformer().forward(b.inputs(), b.mask(), null), index);
                    NDArray za = rows(pair.aligned().transformer().forward(b.inputs(), b.mask(), null), index);
                    consumer.accept(new Rows(zb, za, toArray(seqIdx), toArray(pos)));
                }
                bar.stepBy(end - start);
            }
        }
    }

    /** Largest batch whose logits [B, L, V] stay within the budget, between 1 and AUTO_MAX_BATCH. */
    static int autoBatch(int length, int vocab) {
        long perSequence = (long) length * vocab;
        return (int) Math.max(1, Math.min(AUTO_MAX_BATCH, AUTO_LOGITS_BUDGET / Math.max(1, perSequence)));
    }

    /** [B, L, V] logits -> the rows at flat slot indices [N] -> [N, V]. */
    private static NDArray rows(NDArray logits, NDArray flatSlots) {
        long v = logits.getShape().get(2);
        NDArray out = logits.reshape(-1, v).get(new NDIndex("{}", flatSlots));
        logits.close(); // free the full [B, L, V] tensor before the other model's forward
        return out;
    }

    private static int[] toArray(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).toArray();
    }
}
