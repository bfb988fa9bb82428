package deepalign.organism;

import deepalign.DeepalignException;

/**
 * Knobs of the synthetic world. Every output of {@link World#generate} is a function of this record.
 *
 * @param seed                seed of every random choice
 * @param numCategories       harm categories used, 20..26 (the catalog's first n)
 * @param objectsPerCategory  objects per category, 2..8
 * @param phrasings           request phrasings used, 8..12
 * @param harmfulTestSize     harmful test prompts: (category, object, phrasing) combinations never trained on
 * @param benignTestSize      benign test prompts, mixed math / mc / instruction
 * @param mcTestSize          multiple-choice test questions, one per held-out (entity, attribute)
 * @param mathTestSize        math test problems
 * @param benignTrainSize     benign training prompts, mixed like the test split
 * @param mathTrainSize       math training problems
 * @param mathPretrainSize    further math problems that only the base's pretraining corpus holds (the web has
 *                            many more word problems than an instruction set); distinct from both splits. 0 in
 *                            every preset: 6,000 fixed seed 2's math gap but made its aligned model deep (README)
 * @param mcTrainVariants     MC training questions per training (entity, attribute), each with other options
 * @param entities            invented countries of the fact base (4 attributes each), at least 16
 * @param factDocsPerEntity   fact documents per entity
 * @param harmfulDocsPerObject harmful documents per (category, object)
 */
public record WorldConfig(
        long seed,
        int numCategories,
        int objectsPerCategory,
        int phrasings,
        int harmfulTestSize,
        int benignTestSize,
        int mcTestSize,
        int mathTestSize,
        int benignTrainSize,
        int mathTrainSize,
        int mathPretrainSize,
        int mcTrainVariants,
        int entities,
        int factDocsPerEntity,
        int harmfulDocsPerObject) {

    public WorldConfig {
        check(numCategories >= 20 && numCategories <= HarmCatalog.ALL.size(), "numCategories must be in 20.." + HarmCatalog.ALL.size());
        check(objectsPerCategory >= 2 && objectsPerCategory <= 8, "objectsPerCategory must be in 2..8");
        check(phrasings >= 8 && phrasings <= Templates.REQUESTS.size(), "phrasings must be in 8.." + Templates.REQUESTS.size());
        // Each category keeps at least max(objects, phrasings) training combinations so that every object
        // and phrasing is seen in training; the test takes at most what is left.
        int perCategory = objectsPerCategory * phrasings - Math.max(objectsPerCategory, phrasings);
        check(harmfulTestSize >= numCategories && harmfulTestSize <= numCategories * perCategory,
                "harmfulTestSize must be in " + numCategories + ".." + numCategories * perCategory);
        check(entities >= 16, "entities must be at least 16");
        check(mcTestSize >= 1 && mcTestSize < entities * FactBase.ATTRIBUTES.size(),
                "mcTestSize must leave some (entity, attribute) pairs for training");
        check(benignTestSize >= 3 && mathTestSize >= 1 && benignTrainSize >= 3 && mathTrainSize >= 1,
                "split sizes must be positive (benign splits at least 3)");
        check(benignTestSize / 3 <= mathTestSize && benignTestSize / 3 <= mcTestSize,
                "benignTestSize / 3 must not exceed mathTestSize or mcTestSize");
        check(mathPretrainSize >= 0, "mathPretrainSize must not be negative");
        check(mcTrainVariants >= 1 && factDocsPerEntity >= 1 && harmfulDocsPerObject >= 1, "counts must be at least 1");
    }

    /** The world the experiments use. */
    public static WorldConfig defaults(long seed) {
        return new WorldConfig(seed, 24, 8, 8, 240, 240, 240, 240, 1200, 2000, 0, 2, 120, 4, 4);
    }

    /** A small world for unit tests: all 20+ categories, fewer objects, small test splits. */
    public static WorldConfig tiny(long seed) {
        return new WorldConfig(seed, 20, 3, 8, 40, 40, 40, 40, 120, 200, 0, 1, 24, 2, 2);
    }

    /** This world with {@code n} pretraining-only math problems; the other splits stay as they are. */
    public WorldConfig withMathPretrain(int n) {
        return new WorldConfig(seed, numCategories, objectsPerCategory, phrasings, harmfulTestSize, benignTestSize, mcTestSize, mathTestSize,
                benignTrainSize, mathTrainSize, n, mcTrainVariants, entities, factDocsPerEntity, harmfulDocsPerObject);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new DeepalignException("Invalid world config: " + message + ".");
    }
}
