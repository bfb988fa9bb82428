package deepalign.demo;

import deepalign.attack.GcgConfig;
import java.nio.file.Path;

/**
 * Knobs of `deepalign demo`. Quick mode uses the tiny organism (smaller models, 120 harmful test
 * prompts so intervals stay meaningful) and smaller GCG and decoding budgets.
 */
public record DemoConfig(
        Path out,
        long seed,
        boolean quick,
        String organismSize,
        int decodingPrompts,
        int gcgPrompts,
        GcgConfig gcg,
        int completionEpochs,
        double completionLr,
        int finetuneSteps,
        int maxNewTokens) {

    public static DemoConfig of(Path out, long seed, boolean quick) {
        if (quick) {
            return new DemoConfig(out, seed, true, "quick", 120, 4, new GcgConfig(12, 32, 32, 20, 5, 32, "!", seed), 2, 1e-3, 15, 80);
        }
        return new DemoConfig(out, seed, false, "small", 240, 10, new GcgConfig(20, 64, 64, 40, 10, 64, "!", seed), 3, 1e-4, 20, 96);
    }
}
