package deepalign;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on stderr for anything that takes more than a few seconds. Quiet when
 * {@code -Ddeepalign.quiet=true} (tests) so logs stay readable.
 */
public final class Progress implements AutoCloseable {
    private static volatile boolean quiet = Boolean.getBoolean("deepalign.quiet");
    private final ProgressBar bar;

    private Progress(String task, long max) {
        this.bar = quiet
                ? null
                : new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(max)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(500)
                        .continuousUpdate()
                        .clearDisplayOnFinish()
                        .build();
    }

    public static Progress start(String task, long max) {
        return new Progress(task, max);
    }

    public static void setQuiet(boolean q) {
        quiet = q;
    }

    public static boolean isQuiet() {
        return quiet;
    }

    public void step() {
        stepBy(1);
    }

    public void stepBy(long n) {
        if (bar != null) bar.stepBy(n);
    }

    public void extra(String message) {
        if (bar != null) bar.setExtraMessage(message);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
