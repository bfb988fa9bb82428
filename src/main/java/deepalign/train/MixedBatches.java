package deepalign.train;

import deepalign.DeepalignException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The order of mixed batches: each batch holds round(f * B) harmful and B - round(f * B) utility
 * examples. Each set is drawn as a stream of shuffled passes, pass c being a permutation seeded by
 * (seed, set, c). The batch of any step is therefore a pure function of (seed, step): resuming needs
 * the step count only, no serialised random state. An epoch is enough steps for the larger side to
 * see every example once; the smaller side wraps into its next pass.
 */
public final class MixedBatches {
    private final int harmfulSize;
    private final int utilitySize;
    private final int harmfulPerBatch;
    private final int utilityPerBatch;
    private final long seed;

    public MixedBatches(int harmfulSize, int utilitySize, int batchSize, double harmfulFraction, long seed) {
        if (batchSize < 1) throw new DeepalignException("--batch must be at least 1, got " + batchSize);
        if (harmfulFraction < 0 || harmfulFraction > 1) {
            throw new DeepalignException("--harmful-fraction must be in [0, 1], got " + harmfulFraction);
        }
        this.harmfulSize = harmfulSize;
        this.utilitySize = utilitySize;
        this.harmfulPerBatch = (int) Math.round(harmfulFraction * batchSize);
        this.utilityPerBatch = batchSize - harmfulPerBatch;
        this.seed = seed;
        if (harmfulPerBatch > 0 && harmfulSize == 0) throw new DeepalignException("no harmful training examples");
        if (utilityPerBatch > 0 && utilitySize == 0) throw new DeepalignException("no utility training examples");
    }

    public int harmfulPerBatch() {
        return harmfulPerBatch;
    }

    public int utilityPerBatch() {
        return utilityPerBatch;
    }

    public int stepsPerEpoch() {
        int h = harmfulPerBatch == 0 ? 0 : ceilDiv(harmfulSize, harmfulPerBatch);
        int u = utilityPerBatch == 0 ? 0 : ceilDiv(utilitySize, utilityPerBatch);
        return Math.max(1, Math.max(h, u));
    }

    /** Harmful example indices of step {@code step} (0-based, counted over the whole run). */
    public List<Integer> harmful(long step) {
        return draw(0, harmfulSize, harmfulPerBatch, step);
    }

    public List<Integer> utility(long step) {
        return draw(1, utilitySize, utilityPerBatch, step);
    }

    private List<Integer> draw(int set, int size, int perBatch, long step) {
        List<Integer> out = new ArrayList<>(perBatch);
        long first = step * perBatch;
        List<Integer> perm = null;
        long pass = -1;
        for (long i = first; i < first + perBatch; i++) {
            if (i / size != pass) {
                pass = i / size;
                perm = permutation(size, seed, set, pass);
            }
            out.add(perm.get((int) (i % size)));
        }
        return out;
    }

    static List<Integer> permutation(int size, long seed, int set, long pass) {
        List<Integer> perm = new ArrayList<>(size);
        for (int i = 0; i < size; i++) perm.add(i);
        long mixed = new SplittableRandom(seed * 1_000_003L + set * 7919L + pass).nextLong();
        Collections.shuffle(perm, new Random(mixed));
        return perm;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
