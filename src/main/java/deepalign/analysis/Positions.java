package deepalign.analysis;

import deepalign.DeepalignException;
import java.util.TreeSet;

/** Position lists for the command line: "1-40", "1,2,5,10-20", thinned with a stride. */
public final class Positions {
    private Positions() {}

    /**
     * Parses comma-separated positions and inclusive ranges, then keeps every {@code stride}-th of
     * the sorted positions (the first always kept), so that "1-40" with stride 4 is 1, 5, 9, ..., 37.
     */
    public static int[] parse(String spec, int stride) {
        if (stride < 1) throw new DeepalignException("--stride must be at least 1, not " + stride + ".");
        TreeSet<Integer> all = new TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            try {
                int dash = p.indexOf('-');
                if (dash < 0) {
                    all.add(Integer.parseInt(p));
                } else {
                    int from = Integer.parseInt(p.substring(0, dash).trim());
                    int to = Integer.parseInt(p.substring(dash + 1).trim());
                    if (to < from) throw new DeepalignException("--positions range " + p + " runs backwards.");
                    for (int i = from; i <= to; i++) all.add(i);
                }
            } catch (NumberFormatException e) {
                throw new DeepalignException("--positions " + spec + " is not a list of positions and ranges such as 1-40 or 1,2,5,10-20.");
            }
        }
        if (all.isEmpty()) throw new DeepalignException("--positions " + spec + " selects no position.");
        if (all.first() < 1) throw new DeepalignException("--positions count from 1; " + all.first() + " is not a response position.");
        int[] sorted = all.stream().mapToInt(Integer::intValue).toArray();
        int[] out = new int[(sorted.length + stride - 1) / stride];
        for (int i = 0; i < out.length; i++) out[i] = sorted[i * stride];
        return out;
    }
}
