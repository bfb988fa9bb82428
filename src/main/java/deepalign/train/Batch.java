package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Sequences collated for a causal-LM step, left-padded to a common length. Inputs are ids[0..n-2],
 * targets ids[1..n-1], so logits at input slot j predict target slot j.
 *
 * @param inputs  [B, L] int64
 * @param mask    [B, L] float32, 1 for real input tokens
 * @param targets [B, L] int64 (pad slots hold 0)
 * @param weights [B, L] float32 loss weights (0 on padding)
 */
public record Batch(NDArray inputs, NDArray mask, NDArray targets, NDArray weights, int rows, int length)
        implements AutoCloseable {

    public static Batch of(NDManager manager, List<Sequence> seqs, int padId) {
        int b = seqs.size();
        int len = seqs.stream().mapToInt(s -> s.ids().length - 1).max().orElseThrow();
        long[] in = new long[b * len];
        long[] tg = new long[b * len];
        float[] mk = new float[b * len];
        float[] wt = new float[b * len];
        java.util.Arrays.fill(in, padId);
        for (int r = 0; r < b; r++) {
            Sequence s = seqs.get(r);
            int n = s.ids().length - 1;
            int off = r * len + (len - n);
            for (int i = 0; i < n; i++) {
                in[off + i] = s.ids()[i];
                tg[off + i] = s.ids()[i + 1];
                mk[off + i] = 1f;
                wt[off + i] = s.weights()[i + 1];
            }
        }
        Shape shape = new Shape(b, len);
        return new Batch(
                manager.create(in, shape), manager.create(mk, shape), manager.create(tg, shape), manager.create(wt, shape), b, len);
    }

    @Override
    public void close() {
        inputs.close();
        mask.close();
        targets.close();
        weights.close();
    }
}
