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

    static void forEachBatch(ModelPair pair, List<Responses.Scored> seqs, int batchSize, String label, Consumer consumer) {
        int pad = pair.aligned().padId();
        try (Progress bar = Progress.start(label, seqs.size())) {
            for (int start = 0; start < seqs.size(); start += batchSize) {
                int end = Math.min(seqs.size(), start + batchSize);
                List<Sequence> chunk = new ArrayList<>(end - start);
                for (Responses.Scored s : seqs.subList(start, end)) chunk.add(Sequence.promptResponse(s.prompt(), s.response()));
                try (NDManager m = NDManager.newBaseManager();
                        Batch b = Batch.of(m, chunk, pad);
                        NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    List<Integer> slots = new ArrayList<>();
                    List<Integer> seqIdx = new ArrayList<>();
                    List<Integer> pos = new ArrayList<>();
                    for (int r = 0; r < chunk.size(); r++) {
                        Responses.Scored s = seqs.get(start + r);
                        int n = s.prompt().length + s.response().length - 1; // input slots of this row
                        int offset = b.length() - n;
                        for (int t = 1; t <= s.response().length; t++) {
                            slots.add(r * b.length() + offset + s.prompt().length + t - 2);
                            seqIdx.add(start + r);
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
