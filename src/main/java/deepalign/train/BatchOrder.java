package deepalign.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Seeded epoch-wise shuffling: yields batches of indices, reshuffling at every epoch boundary. */
public final class BatchOrder {
    private final int size;
    private final int batchSize;
    private final Random rng;
    private final List<Integer> perm = new ArrayList<>();
    private int pos;
    private int epoch;

    public BatchOrder(int size, int batchSize, long seed) {
        this.size = size;
        this.batchSize = Math.min(batchSize, size);
        this.rng = new Random(seed);
        for (int i = 0; i < size; i++) perm.add(i);
        Collections.shuffle(perm, rng);
    }

    public List<Integer> next() {
        if (pos + batchSize > size) {
            Collections.shuffle(perm, rng);
            pos = 0;
            epoch++;
        }
        List<Integer> out = new ArrayList<>(perm.subList(pos, pos + batchSize));
        pos += batchSize;
        return out;
    }

    public int epoch() {
        return epoch;
    }
}
