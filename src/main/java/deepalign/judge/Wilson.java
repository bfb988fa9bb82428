package deepalign.judge;

/** Wilson score interval for a binomial proportion: unlike the normal approximation it stays inside [0, 1] at 0/n and n/n. */
public final class Wilson {
    private Wilson() {}

    /** Two-sided 95% normal quantile. */
    static final double Z95 = 1.959963984540054;

    public record Interval(double low, double high) {}

    /** The 95% interval for {@code successes} out of {@code n}; [0, 1] when n is 0. */
    public static Interval wilson95(int successes, int n) {
        return wilson(successes, n, Z95);
    }

    public static Interval wilson(int successes, int n, double z) {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("need 0 <= successes <= n, got " + successes + " of " + n);
        }
        if (n == 0) return new Interval(0, 1);
        double p = (double) successes / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new Interval(Math.max(0, center - half), Math.min(1, center + half));
    }
}
