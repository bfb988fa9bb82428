package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of every layer for incremental decoding, [B, kvHeads, S, headDim] each. The arrays
 * outlive the forward pass that made them, so they are taken out of its NDScope and closed here.
 */
public final class KVCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KVCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Number of cached positions (padding slots included). */
    public int length() {
        return length;
    }

    /**
     * A new cache holding this one's keys and values repeated for {@code rows} rows (this cache must hold one): a
     * batch of sequences that share this prefix starts from it. Closing either cache leaves the other intact.
     */
    public KVCache repeatRows(int rows) {
        KVCache out = new KVCache(keys.length);
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] == null) continue;
            if (keys[l].getShape().get(0) != 1) throw new IllegalStateException("repeatRows needs a one-row cache, not " + keys[l].getShape());
            out.keys[l] = keys[l].repeat(0, rows);
            out.values[l] = values[l].repeat(0, rows);
            NDScope.unregister(out.keys[l], out.values[l]);
        }
        out.length = length;
        return out;
    }

    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray nk = keys[layer] == null ? k : keys[layer].concat(k, 2);
        NDArray nv = values[layer] == null ? v : values[layer].concat(v, 2);
        NDScope.unregister(nk, nv);
        if (keys[layer] != null && keys[layer] != nk) keys[layer].close();
        if (values[layer] != null && values[layer] != nv) values[layer].close();
        keys[layer] = nk;
        values[layer] = nv;
        return new NDArray[] {nk, nv};
    }

    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) keys[l].close();
            if (values[l] != null) values[l].close();
            keys[l] = null;
            values[l] = null;
        }
        length = 0;
    }
}
