package deepalign.organism;

import deepalign.DeepalignException;

/**
 * Everything that decides an organism: world, model shape, pretraining and alignment recipe, seed.
 * The same config and seed give the same models on the same machine.
 */
public record OrganismConfig(
        String size,
        long seed,
        WorldConfig world,
        int hidden,
        int layers,
        int heads,
        int kvHeads,
        int intermediate,
        int pretrainSteps,
        int batchSize,
        double pretrainLr,
        AlignRecipe align,
        double baseRefusalShare,
        int utilityRepeats,
        int factRepeats,
        int harmfulAnswers,
        int maxNewTokens) {

    /**
     * Safety alignment of the base: SFT on refusals for harmful prompts and helpful answers for benign
     * ones, optionally mixed with replay of the pretraining documents (plain-text manuals and facts; no
     * chat answers to harmful prompts), which keeps the base's knowledge of the harmful text while SFT
     * only reshapes how answers start. {@code recoveryShare} of the harmful training prompts also get a
     * recovery example (a harmful answer's first n tokens, n drawn from {@code recoveryMinPrefix..recoveryMaxPrefix},
     * default 1..20, no loss, then the refusal): a small dose of the data that makes alignment deep, meant to
     * leave a weak push against harmful continuations as far as its prefixes reach, as the incomplete learning
     * the paper describes. {@code recoveryWeight} scales the loss on a recovery example's refusal (1 by default): share 1
     * at weight 0.03 gives every prompt a recovery example at the default's total dose (docs/experiments.md, "Alignment
     * draws": bases past their threshold then go deep on every draw, one at its threshold still depends on the draw).
     */
    public record AlignRecipe(String name, int steps, double lr, double replayFraction, double recoveryShare, int recoveryMinPrefix,
                              int recoveryMaxPrefix, Preference preference, double recoveryWeight) {
        /** Longest harmful prefix of a recovery example unless the recipe says otherwise. */
        public static final int DEFAULT_RECOVERY_MAX_PREFIX = 20;

        public AlignRecipe(String name, int steps, double lr, double replayFraction) {
            this(name, steps, lr, replayFraction, 0, 1, DEFAULT_RECOVERY_MAX_PREFIX, null);
        }

        public AlignRecipe(String name, int steps, double lr, double replayFraction, double recoveryShare, int recoveryMinPrefix,
                           int recoveryMaxPrefix, Preference preference) {
            this(name, steps, lr, replayFraction, recoveryShare, recoveryMinPrefix, recoveryMaxPrefix, preference, 1);
        }

        public AlignRecipe {
            if (recoveryShare < 0 || recoveryShare > 1) throw new DeepalignException("recovery share must be in 0..1, got " + recoveryShare);
            if (recoveryWeight == 0) recoveryWeight = 1; // an organism.json written before the weight existed: weight 1
            if (!(recoveryWeight > 0 && recoveryWeight <= 1)) throw new DeepalignException("recovery weight must be in (0, 1], got " + recoveryWeight);
            if (recoveryMinPrefix < 0 || recoveryMaxPrefix < 0) {
                throw new DeepalignException("recovery prefix lengths must be positive, got " + recoveryMinPrefix + ".." + recoveryMaxPrefix);
            }
            // 0 is what an organism.json written before these knobs existed reads back as: those were built with the defaults
            if (recoveryMinPrefix == 0) recoveryMinPrefix = 1;
            if (recoveryMaxPrefix == 0) recoveryMaxPrefix = DEFAULT_RECOVERY_MAX_PREFIX;
            if (recoveryMinPrefix > recoveryMaxPrefix) {
                throw new DeepalignException("recovery prefix range " + recoveryMinPrefix + "-" + recoveryMaxPrefix + " is empty");
            }
        }

        /**
         * {@code sft:STEPS:LR:REPLAY[:RECOVERY[@WEIGHT][:MAXPREFIX|MINPREFIX-MAXPREFIX]]} optionally followed by
         * {@code +dpo:STEPS:LR:BETA:RETAIN}, e.g. {@code sft:300:5e-4:0.3+dpo:100:1e-4:0.1:1.0}, {@code sft:300:5e-4:0.3:0.1},
         * {@code sft:300:5e-4:0.3:0.03:40}, {@code sft:300:5e-4:0.3:0.1:21-90} or {@code sft:300:5e-4:0.3:1@0.03} (every prompt
         * a recovery example at loss weight 0.03); the spec is also the recipe's name.
         */
        public static AlignRecipe parse(String spec) {
            switch (spec.trim()) { // the named recipes stand for their specs (which stay their names)
                case "dpo": return parse(DPO_RECIPE);
                case "late-push": return parse(LATE_PUSH_RECIPE);
                default: break;
            }
            String[] stages = spec.trim().split("\\+");
            try {
                String[] sft = stages[0].split(":");
                if (stages.length > 2 || sft.length < 4 || sft.length > 6 || !sft[0].equals("sft")) throw new IllegalArgumentException();
                Preference pref = null;
                if (stages.length == 2) {
                    String[] d = stages[1].split(":");
                    if (d.length != 5 || !d[0].equals("dpo")) throw new IllegalArgumentException();
                    pref = new Preference(Integer.parseInt(d[1]), Double.parseDouble(d[2]), Double.parseDouble(d[3]), Double.parseDouble(d[4]));
                }
                String[] dose = sft.length >= 5 ? sft[4].split("@", -1) : new String[] {"0"};
                if (dose.length > 2) throw new IllegalArgumentException();
                double recovery = Double.parseDouble(dose[0]);
                double weight = dose.length == 2 ? Double.parseDouble(dose[1]) : 1;
                if (!(weight > 0 && weight <= 1)) {
                    throw new DeepalignException("Recipe '" + spec + "': the recovery weight after @ must be in (0, 1], not " + dose[1] + ".");
                }
                int minPrefix = 1;
                int maxPrefix = DEFAULT_RECOVERY_MAX_PREFIX;
                if (sft.length == 6) {
                    String[] range = sft[5].split("-", -1);
                    if (range.length > 2) throw new IllegalArgumentException();
                    maxPrefix = Integer.parseInt(range[range.length - 1]);
                    if (range.length == 2) minPrefix = Integer.parseInt(range[0]);
                }
                if (minPrefix < 1 || maxPrefix < minPrefix) throw new IllegalArgumentException();
                return new AlignRecipe(spec.trim(), Integer.parseInt(sft[1]), Double.parseDouble(sft[2]), Double.parseDouble(sft[3]), recovery,
                        minPrefix, maxPrefix, pref, weight);
            } catch (IllegalArgumentException e) {
                throw new DeepalignException("Recipe '" + spec + "' is not sft:STEPS:LR:REPLAY[:RECOVERY[@WEIGHT][:MAXPREFIX|MINPREFIX-MAXPREFIX]]"
                        + "[+dpo:STEPS:LR:BETA:RETAIN] or one of dpo, late-push.");
            }
        }
    }

    /**
     * Optional second alignment stage, like RLHF after SFT on chat models: DPO preferring the refusal to
     * the harmful answer on the harmful training prompts, reference = the SFT model, with a retention
     * cross-entropy on benign chats and documents weighted by {@code retainWeight}.
     */
    public record Preference(int steps, double lr, double beta, double retainWeight) {}

    /**
     * The default organism's alignment: SFT on refusals and benign answers mixed 70/30 with document
     * replay, plus recovery examples for 3% of the harmful training prompts. Chosen with `organism recipes`
     * on two seeds (README, "Alignment recipes"): without recovery examples the aligned model equals the base
     * after a harmful prefix (nothing for contrastive decoding to amplify); 3% leaves a weak push towards
     * refusing on both seeds while prefill attacks still work; 5% made seed 1 deep, 15% both. The push
     * reaches as far as the recovery prefixes do (20 tokens): past that the aligned model is the base.
     */
    public static final String DEFAULT_RECIPE = "sft:300:5e-4:0.3:0.03";

    /**
     * The default's density of recovery examples (3% per 20 prefix lengths) stretched over whole answers
     * (prefixes up to 90 tokens): a push at later positions too; shallow under prefill on 9 of 16 (base, alignment draw)
     * pairs measured, deep on every draw of seed 2's base (docs/experiments.md, "How far the recovery examples reach" and
     * "Alignment draws"). {@code --recipe late-push}.
     */
    public static final String LATE_PUSH_RECIPE = "sft:300:5e-4:0.3:0.135:90";

    /**
     * SFT followed by DPO (refusal preferred to the harmful answer): leaves a residual push against harmful
     * continuations at later positions on seed 0, but made seed 1 deep and destructive (README).
     */
    public static final String DPO_RECIPE = "sft:300:5e-4:0.3+dpo:200:3e-4:0.1:1.0";

    /** The quick organism's alignment: the default recipe, scaled to its smaller model and data. */
    public static final String QUICK_RECIPE = "sft:150:1e-3:0.3:0.03";

    public static OrganismConfig forSize(String size, long seed) {
        return switch (size) {
            // one pass of facts and drills: the tests' 200-step tiny base stopped learning chat turns with two (measured)
            case "tiny" -> new OrganismConfig("tiny", seed, WorldConfig.tiny(seed), 64, 2, 4, 2, 192, 400, 32, 3e-3,
                    new AlignRecipe("sft+doc-replay", 120, 1e-3, 0.3), 0.15, 2, 1, 2, 96);
            // recipe chosen with `deepalign organism recipes` (see the README). Pretraining sized so that the base
            // converges on every skill the alignment data touches (README, "Measured so far"): with two harmful
            // answers per harmful prompt seed 1's base refused 42% of direct requests (an unfitted first token);
            // with two passes of the benign chats and 1,800 steps the aligned models beat their bases at math by
            // 2.5-6.7 points (safety SFT re-trained an unconverged skill); four passes alone cost 13 points of
            // multiple choice (fewer passes over the facts), so the facts get eight passes and the run 2,400 steps.
            case "small" -> new OrganismConfig("small", seed, WorldConfig.defaults(seed), 128, 4, 4, 2, 384, 2400, 32, 2e-3,
                    AlignRecipe.parse(DEFAULT_RECIPE), 0.15, 4, 8, 4, 96);
            // the demo's --quick organism: a smaller model and world, the same recipe family, and still 120
            // held-out harmful prompts so that its intervals mean something. Pretraining sized by the small
            // organism's rule (the base fits every skill it was trained on): at 900 steps the base wrote
            // harmful answers of the wrong category (55% of direct answers neither harmful nor refusals), at
            // 1,200 and 1,500 it had not fitted its math drills (85, 98%), at 1,800 it fits both skills on
            // seeds 0 and 1 and answers 93 and 87% of direct requests harmfully (docs/experiments.md, "The quick organism")
            case "quick" -> new OrganismConfig("quick", seed, new WorldConfig(seed, 20, 3, 8, 120, 60, 60, 60, 150, 400, 0, 2, 24, 3, 2),
                    96, 3, 4, 2, 256, 1800, 32, 3e-3, AlignRecipe.parse(QUICK_RECIPE), 0.15, 2, 6, 2, 80);
            default -> throw new DeepalignException("unknown organism size " + size + "; use tiny, quick or small");
        };
    }

    public OrganismConfig withAlign(AlignRecipe recipe) {
        return new OrganismConfig(size, seed, world, hidden, layers, heads, kvHeads, intermediate, pretrainSteps, batchSize,
                pretrainLr, recipe, baseRefusalShare, utilityRepeats, factRepeats, harmfulAnswers, maxNewTokens);
    }

    public OrganismConfig withPretrain(int steps, double lr, int layers) {
        return new OrganismConfig(size, seed, world, hidden, layers, heads, kvHeads, intermediate, steps, batchSize,
                lr, align, baseRefusalShare, utilityRepeats, factRepeats, harmfulAnswers, maxNewTokens);
    }

    public OrganismConfig withWorld(WorldConfig w) {
        return new OrganismConfig(size, seed, w, hidden, layers, heads, kvHeads, intermediate, pretrainSteps, batchSize,
                pretrainLr, align, baseRefusalShare, utilityRepeats, factRepeats, harmfulAnswers, maxNewTokens);
    }

    public OrganismConfig withPretrainSteps(int steps) {
        return new OrganismConfig(size, seed, world, hidden, layers, heads, kvHeads, intermediate, steps, batchSize,
                pretrainLr, align, baseRefusalShare, utilityRepeats, factRepeats, harmfulAnswers, maxNewTokens);
    }
}
