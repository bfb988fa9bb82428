package deepalign.train;

/** Learning-rate schedules. */
public final class Schedule {
    private Schedule() {}

    /** Linear warm-up over the first {@code warmupFraction} of steps, then cosine decay to 10% of the peak. */
    public static double warmupCosine(int step, int total, double peak, double warmupFraction) {
        int warm = Math.max(1, (int) Math.round(total * warmupFraction));
        if (step < warm) return peak * (step + 1) / warm;
        double progress = (double) (step - warm) / Math.max(1, total - warm);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
