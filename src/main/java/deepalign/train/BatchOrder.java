package deepalign.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Seeded epoch-wise batching. Each epoch shuffles the examples; when lengths are given, every window of
 * 16 batches is sorted by length before it is cut into batches (and the batches shuffled), so that
 * batches hold sequences of similar length and padding costs little compute.
 */
public final class BatchOrder {
    private static final int WINDOW = 16;
    private final int size;
    private final int batchSize;
    private final int[] lengths;
    private final Random rng;
    private final List<List<Integer>> batches = new ArrayList<>();
    private int pos;
    private int epoch = -1;

    public BatchOrder(int size, int batchSize, long seed) {
        this(size, batchSize, null, seed);
    }

    public BatchOrder(int size, int batchSize, int[] lengths, long seed) {
        this.size = size;
        this.batchSize = Math.min(batchSize, size);
        this.lengths = lengths;
        this.rng = new Random(seed);
        newEpoch();
    }

    public static BatchOrder byLength(List<Sequence> data, int batchSize, long seed) {
        int[] lens = data.stream().mapToInt(s -> s.ids().length).toArray();
        return new BatchOrder(data.size(), batchSize, lens, seed);
    }

    private void newEpoch() {
        epoch++;
        pos = 0;
        batches.clear();
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < size; i++) perm.add(i);
        Collections.shuffle(perm, rng);
        int usable = size - size % batchSize; // drop the ragged tail so every batch is full
        int window = WINDOW * batchSize;
        for (int w = 0; w < usable; w += window) {
            List<Integer> chunk = new ArrayList<>(perm.subList(w, Math.min(usable, w + window)));
            if (lengths != null) chunk.sort(Comparator.comparingInt(i -> lengths[i]));
            for (int b = 0; b + batchSize <= chunk.size(); b += batchSize) batches.add(new ArrayList<>(chunk.subList(b, b + batchSize)));
        }
        Collections.shuffle(batches, rng);
    }

    public List<Integer> next() {
        if (pos >= batches.size()) newEpoch();
        return batches.get(pos++);
    }

    /** Completed passes over the data so far. */
    public int epoch() {
        return epoch;
    }

    public int batchesPerEpoch() {
        return batches.size();
    }
}
