package deepalign.attack;

import deepalign.DeepalignException;
import java.util.List;
import java.util.Locale;

/**
 * Knobs of GCG (Zou et al. 2023). {@link #organism()} is sized for the model organism on a laptop CPU
 * (a 25-prompt run in minutes); {@link #paper()} is the paper's setting for real models on a GPU.
 *
 * @param suffixLength adversarial suffix length in tokens
 * @param topK         candidate tokens per position: the k with the most negative one-hot gradient
 * @param candidates   candidate suffixes per step, each replacing one position by one of its top-k tokens
 * @param steps        optimisation steps per prompt (an early success stops sooner)
 * @param evalEvery    generate and judge every this many steps (0: only when the target becomes the greedy
 *                     continuation, and at the end)
 * @param scoreBatch   candidates per forward pass when scoring (memory bound)
 * @param init         the token the suffix starts as (repeated); when it is not one allowed token of the
 *                     vocabulary, the first of "!", "x", "the", "a" that is, else the first allowed token
 * @param seed         seed of candidate sampling (prompt i uses its own stream, so results do not depend on
 *                     which other prompts run)
 * @param firstWeight  weight of the first target token in the target loss (the others weigh 1; the loss is the
 *                     weighted mean). 1 is Zou et al.'s plain mean. An aligned model decides to refuse at the
 *                     first response token, and a plain mean can fall by fitting the later target tokens while
 *                     the refusal still wins that first token (measured on the organism, see docs/experiments.md)
 * @param warmStart    what the suffix starts as: {@code none} (the init token repeated, Zou et al.), {@code target}
 *                     (the prompt's target string) or {@code response} (the prompt's harmful response), cut to the
 *                     suffix length and padded with the init token. Tests how far a suffix that already carries the
 *                     answer gets, and gives the search a start where the refusal is weaker (docs/experiments.md, GCG)
 */
public record GcgConfig(int suffixLength, int topK, int candidates, int steps, int evalEvery, int scoreBatch, String init, long seed,
        double firstWeight, String warmStart) {

    /** The warm starts {@link GcgAttack} knows. */
    public static final List<String> WARM_STARTS = List.of("none", "target", "response");

    /** Zou et al.'s plain mean over the target tokens (first-token weight 1), no warm start. */
    public GcgConfig(int suffixLength, int topK, int candidates, int steps, int evalEvery, int scoreBatch, String init, long seed) {
        this(suffixLength, topK, candidates, steps, evalEvery, scoreBatch, init, seed, 1.0, "none");
    }

    public GcgConfig {
        check(suffixLength >= 1, "suffix length must be at least 1, got " + suffixLength);
        check(topK >= 1, "top-k must be at least 1, got " + topK);
        check(candidates >= 1, "candidates must be at least 1, got " + candidates);
        check(steps >= 0, "steps must be >= 0, got " + steps);
        check(evalEvery >= 0, "eval-every must be >= 0, got " + evalEvery);
        check(scoreBatch >= 1, "score batch must be at least 1, got " + scoreBatch);
        check(firstWeight > 0 && Double.isFinite(firstWeight), "first-token weight must be a positive number, got " + firstWeight);
        if (init == null || init.isBlank()) init = "!";
        if (warmStart == null || warmStart.isBlank()) warmStart = "none";
        warmStart = warmStart.toLowerCase(Locale.ROOT);
        check(WARM_STARTS.contains(warmStart), "warm start must be one of " + String.join(", ", WARM_STARTS) + ", got " + warmStart);
    }

    /**
     * Defaults for the model organism on CPU: 20 tokens, top-128, 256 candidates, at most 200 steps, judged every 10.
     * Measured on the small organism (one CPU thread): 64 candidates and 60 steps broke 3 of 25 prompts in 8 s each,
     * raising p("sure") at the first target token to 0.09 while the refusal kept the argmax; 256 candidates and up to
     * 200 steps broke 17 of 25 in 62 s each on that organism, 6 of 25 on the current default (docs/experiments.md, the original organism).
     */
    public static GcgConfig organism() {
        return new GcgConfig(20, 128, 256, 200, 10, 64, "!", 0);
    }

    /** Zou et al.'s individual-behaviour setting: 20 tokens, top-256, 512 candidates, 500 steps (GPU). */
    public static GcgConfig paper() {
        return new GcgConfig(20, 256, 512, 500, 10, 128, "!", 0);
    }

    /**
     * "gcg", "gcg:paper" or "gcg:steps=100,topk=128,candidates=256,length=20,eval-every=5,batch=64,init=the,seed=1,first-weight=5,warm-start=target"
     * (a preset name may come first: "gcg:paper,steps=50"). The prefix "gcg" is optional.
     */
    public static GcgConfig parse(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.toLowerCase(Locale.ROOT).startsWith("gcg")) s = s.substring(3);
        if (s.startsWith(":")) s = s.substring(1);
        GcgConfig c = organism();
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            if (p.equalsIgnoreCase("paper")) {
                c = paper().withSeed(c.seed).withFirstWeight(c.firstWeight).withWarmStart(c.warmStart);
                continue;
            }
            if (p.equalsIgnoreCase("organism")) {
                c = organism().withSeed(c.seed).withFirstWeight(c.firstWeight).withWarmStart(c.warmStart);
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) throw new DeepalignException("GCG option '" + p + "' in '" + spec + "' is not KEY=VALUE or a preset (organism, paper)");
            String key = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1).trim();
            c = switch (key) {
                case "length", "suffix-length" -> c.with(num(key, value), c.topK, c.candidates, c.steps, c.evalEvery, c.scoreBatch, c.init);
                case "topk", "top-k" -> c.with(c.suffixLength, num(key, value), c.candidates, c.steps, c.evalEvery, c.scoreBatch, c.init);
                case "candidates" -> c.with(c.suffixLength, c.topK, num(key, value), c.steps, c.evalEvery, c.scoreBatch, c.init);
                case "steps" -> c.with(c.suffixLength, c.topK, c.candidates, num(key, value), c.evalEvery, c.scoreBatch, c.init);
                case "eval-every" -> c.with(c.suffixLength, c.topK, c.candidates, c.steps, num(key, value), c.scoreBatch, c.init);
                case "batch", "score-batch" -> c.with(c.suffixLength, c.topK, c.candidates, c.steps, c.evalEvery, num(key, value), c.init);
                case "init" -> c.with(c.suffixLength, c.topK, c.candidates, c.steps, c.evalEvery, c.scoreBatch, value);
                case "seed" -> c.withSeed(num(key, value));
                case "first-weight" -> c.withFirstWeight(real(key, value));
                case "warm-start" -> c.withWarmStart(value);
                default -> throw new DeepalignException("unknown GCG option '" + key + "' in '" + spec
                        + "'; use length, topk, candidates, steps, eval-every, batch, init, seed, first-weight or warm-start");
            };
        }
        return c;
    }

    public GcgConfig withSeed(long s) {
        return new GcgConfig(suffixLength, topK, candidates, steps, evalEvery, scoreBatch, init, s, firstWeight, warmStart);
    }

    public GcgConfig withSteps(int n) {
        return new GcgConfig(suffixLength, topK, candidates, n, evalEvery, scoreBatch, init, seed, firstWeight, warmStart);
    }

    public GcgConfig withFirstWeight(double w) {
        return new GcgConfig(suffixLength, topK, candidates, steps, evalEvery, scoreBatch, init, seed, w, warmStart);
    }

    public GcgConfig withWarmStart(String start) {
        return new GcgConfig(suffixLength, topK, candidates, steps, evalEvery, scoreBatch, init, seed, firstWeight, start);
    }

    private GcgConfig with(int length, int k, int cands, int nSteps, int every, int batch, String initToken) {
        return new GcgConfig(length, k, cands, nSteps, every, batch, initToken, seed, firstWeight, warmStart);
    }

    private static double real(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new DeepalignException("GCG option " + key + " needs a number, got '" + value + "'");
        }
    }

    private static int num(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new DeepalignException("GCG option " + key + " needs an integer, got '" + value + "'");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new DeepalignException("invalid GCG config: " + message);
    }
}
