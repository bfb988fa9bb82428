package deepalign.demo;

import deepalign.attack.GcgConfig;
import java.nio.file.Path;

/**
 * Knobs of `deepalign demo`. Quick mode uses the quick organism (a smaller model and world, 120 harmful test
 * prompts so intervals stay meaningful) and smaller GCG and decoding budgets.
 *
 * @param organism   an organism directory already built (organism.json, base/, aligned/, data/) to run on instead of
 *                   building or reusing the cached organism of {@code organismSize}; null for the cached one
 * @param testLimit  use only the first this many examples of each test split (harmful, benign, mc, math); 0 = all
 * @param trainLimit use only the first this many harmful and benign training examples for completion training,
 *                   its baselines and recovery; 0 = all
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
        int maxNewTokens,
        Path organism,
        int testLimit,
        int trainLimit) {

    public static DemoConfig of(Path out, long seed, boolean quick) {
        if (quick) {
            return new DemoConfig(out, seed, true, "quick", 120, 4, new GcgConfig(12, 32, 32, 20, 5, 32, "!", seed), 2, 1e-3, 15, 80,
                    null, 0, 0);
        }
        return new DemoConfig(out, seed, false, "small", 120, 10, new GcgConfig(20, 64, 64, 40, 10, 64, "!", seed),
                deepalign.train.CompletionConfig.ORGANISM_EPOCHS, deepalign.train.CompletionConfig.ORGANISM_LR, 20, 96, null, 0, 0);
    }

    /**
     * The decoding exploit's grid in the demo: one sweep of temperature, top-p and top-k around the settings
     * that matter most (sampling at temperature 1 with a wide nucleus), so that every method gets the attack
     * within the demo's time; `deepalign eval safety --attack decoding` runs the full grid.
     */
    public static deepalign.attack.DecodingExploitAttack.Grid decodingGrid() {
        return new deepalign.attack.DecodingExploitAttack.Grid(java.util.List.of(0.7, 1.0), java.util.List.of(0.9), java.util.List.of(50));
    }

    /** Runs on the organism built in {@code dir} instead of the cached one. */
    public DemoConfig withOrganism(Path dir) {
        return new DemoConfig(out, seed, quick, organismSize, decodingPrompts, gcgPrompts, gcg, completionEpochs, completionLr, finetuneSteps,
                maxNewTokens, dir, testLimit, trainLimit);
    }

    /** Smaller evaluation and training sets: the first {@code test} / {@code train} examples of each split (0 = all). */
    public DemoConfig withLimits(int test, int train) {
        return new DemoConfig(out, seed, quick, organismSize, decodingPrompts, gcgPrompts, gcg, completionEpochs, completionLr, finetuneSteps,
                maxNewTokens, organism, test, train);
    }

    /** Smaller attack and training budgets. */
    public DemoConfig withBudgets(int decodingPrompts, int gcgPrompts, GcgConfig gcg, int completionEpochs, int finetuneSteps, int maxNewTokens) {
        return new DemoConfig(out, seed, quick, organismSize, decodingPrompts, gcgPrompts, gcg, completionEpochs, completionLr, finetuneSteps,
                maxNewTokens, organism, testLimit, trainLimit);
    }

    /** What the report names as the organism: its directory when one was given, else its size. */
    public String organismLabel() {
        return organism != null ? organism.toString() : organismSize;
    }
}
