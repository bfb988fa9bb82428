package deepalign.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from one row of logits: greedy, or temperature with top-k and top-p filters. */
public final class Sampler {
    private Sampler() {}

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    public static int sample(float[] logits, GenerationConfig cfg, SplittableRandom rng) {
        if (cfg.isGreedy()) return argmax(logits);
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = cfg.topK() > 0 ? Math.min(cfg.topK(), v) : v;
        double max = logits[order[0]];
        double[] p = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / cfg.temperature());
            total += p[i];
        }
        // top-p: the smallest prefix of the sorted distribution whose mass reaches topP.
        double cum = 0;
        int cut = keep;
        for (int i = 0; i < keep; i++) {
            cum += p[i] / total;
            if (cum >= cfg.topP()) {
                cut = i + 1;
                break;
            }
        }
        double mass = 0;
        for (int i = 0; i < cut; i++) mass += p[i];
        double r = rng.nextDouble() * mass;
        for (int i = 0; i < cut; i++) {
            r -= p[i];
            if (r <= 0) return order[i];
        }
        return order[cut - 1];
    }
}
