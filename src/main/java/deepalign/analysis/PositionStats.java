package deepalign.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-position statistic over examples: at {@code positions[i]} the mean, its standard error
 * (sample standard deviation / sqrt(n)) and the number of examples n that reach that position.
 * Where n = 0 the mean is NaN; where n = 1 the standard error is 0 (one value has no spread to measure).
 */
public record PositionStats(int[] positions, double[] mean, double[] stderr, int[] n) {

    /** Collects values by position with Welford's update (one pass, no cancellation). */
    public static final class Accumulator {
        private final int[] positions;
        private final Map<Integer, Integer> index = new LinkedHashMap<>();
        private final int[] count;
        private final double[] mean;
        private final double[] m2;

        public Accumulator(int[] positions) {
            this.positions = positions.clone();
            for (int i = 0; i < positions.length; i++) index.put(positions[i], i);
            count = new int[positions.length];
            mean = new double[positions.length];
            m2 = new double[positions.length];
        }

        /** Positions 1..maxPositions. */
        public static Accumulator upTo(int maxPositions) {
            int[] p = new int[maxPositions];
            for (int i = 0; i < maxPositions; i++) p[i] = i + 1;
            return new Accumulator(p);
        }

        /** Whether {@code position} is one of the tracked positions. */
        public boolean tracks(int position) {
            return index.containsKey(position);
        }

        public void add(int position, double value) {
            Integer i = index.get(position);
            if (i == null) throw new IllegalArgumentException("position " + position + " is not tracked");
            count[i]++;
            double delta = value - mean[i];
            mean[i] += delta / count[i];
            m2[i] += delta * (value - mean[i]);
        }

        public PositionStats stats() {
            int k = positions.length;
            double[] mu = new double[k];
            double[] se = new double[k];
            for (int i = 0; i < k; i++) {
                int c = count[i];
                mu[i] = c == 0 ? Double.NaN : mean[i];
                se[i] = c == 0 ? Double.NaN : c == 1 ? 0 : Math.sqrt(m2[i] / (c - 1)) / Math.sqrt(c);
            }
            return new PositionStats(positions.clone(), mu, se, count.clone());
        }
    }

    /** Standard error of the mean of {@code values}: sample sd (n - 1) over sqrt(n); 0 for one value. */
    public static double stderr(double[] values) {
        int n = values.length;
        if (n == 0) return Double.NaN;
        if (n == 1) return 0;
        double mu = 0;
        for (double v : values) mu += v;
        mu /= n;
        double ss = 0;
        for (double v : values) ss += (v - mu) * (v - mu);
        return Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
    }

    /**
     * Mean over every (example, position) value with a position in from..to (inclusive): the per-position means
     * weighted by their counts; NaN if none. Weighting matters where responses end: an unweighted average of
     * per-position means let positions that one long response reaches count as much as positions every
     * response has (measured on the organism: 0.197 nats over 21-40 unweighted, 0.017 weighted).
     */
    public double meanOver(int from, int to) {
        double sum = 0;
        long k = 0;
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] >= from && positions[i] <= to && n[i] > 0) {
                sum += mean[i] * n[i];
                k += n[i];
            }
        }
        return k == 0 ? Double.NaN : sum / k;
    }

    /** Mean at one position (NaN when untracked or empty). */
    public double meanAt(int position) {
        for (int i = 0; i < positions.length; i++) if (positions[i] == position) return mean[i];
        return Double.NaN;
    }

    /** JSON form: arrays with null where a position has no examples (JSON has no NaN). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", nullable(mean));
        m.put("stderr", nullable(stderr));
        List<Integer> counts = new ArrayList<>();
        for (int c : n) counts.add(c);
        m.put("n", counts);
        return m;
    }

    static List<Double> nullable(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) out.add(Double.isFinite(v) ? v : null);
        return out;
    }
}
