package deepalign.organism;

import deepalign.DeepalignException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the built-in organism lives: every command that is given no model falls back on it, building
 * it on first use and caching it under {@code $DEEPALIGN_HOME} (default {@code ~/.cache/deepalign}).
 */
public final class Organisms {
    public static final String DEFAULT_SIZE = "small";
    public static final long DEFAULT_SEED = 0;

    private Organisms() {}

    public static Path home() {
        String env = System.getenv("DEEPALIGN_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "deepalign");
    }

    public static Path cacheDir(String size, long seed) {
        return home().resolve("organism-" + size + "-seed" + seed);
    }

    /** The cached default organism, built now (a few minutes) if it is not there yet. */
    public static Organism defaultOrganism() {
        return cached(DEFAULT_SIZE, DEFAULT_SEED);
    }

    /** The exact oracle of an organism on disk, rebuilt from the harm markers in its organism.json. */
    @SuppressWarnings("unchecked")
    public static deepalign.judge.OracleJudge oracle(Path organismDir) {
        Path json = organismDir.resolve("organism.json");
        try {
            java.util.Map<String, Object> root = deepalign.report.JsonOut.read(json, java.util.Map.class);
            java.util.Map<String, Object> world = (java.util.Map<String, Object>) root.get("world");
            return deepalign.judge.OracleJudge.fromMarkers(
                    (java.util.Map<String, java.util.List<String>>) world.get("markers"), (java.util.List<String>) world.get("refusal_cues"));
        } catch (RuntimeException e) {
            if (e instanceof DeepalignException) throw e;
            throw new DeepalignException(json + " does not describe an organism world (" + e.getMessage() + ")", e);
        }
    }

    /** An organism on disk, with the config it was built with (read back from its organism.json). */
    @SuppressWarnings("unchecked")
    public static Organism at(Path dir) {
        Path json = dir.resolve("organism.json");
        if (!Files.isRegularFile(json)) throw new DeepalignException(dir + " holds no organism (no organism.json); build one with `deepalign organism build`");
        java.util.Map<String, Object> root = deepalign.report.JsonOut.read(json, java.util.Map.class);
        try {
            OrganismConfig cfg = deepalign.report.JsonOut.mapper().convertValue(root.get("config"), OrganismConfig.class);
            OrganismCard card = root.get("card") == null ? null : deepalign.report.JsonOut.mapper().convertValue(root.get("card"), OrganismCard.class);
            return new Organism(dir, cfg, card);
        } catch (IllegalArgumentException e) {
            throw new DeepalignException(json + " has no readable organism config (" + e.getMessage() + ")", e);
        }
    }

    /** The organism in {@code dir} if it was built with exactly {@code want}, else null (also for an unreadable config). */
    static Organism currentAt(Path dir, OrganismConfig want) {
        try {
            Organism o = at(dir);
            return want.equals(o.config()) ? o : null;
        } catch (DeepalignException e) {
            return null;
        }
    }

    public static Organism cached(String size, long seed) {
        Path dir = cacheDir(size, seed);
        OrganismConfig want = OrganismConfig.forSize(size, seed);
        if (Files.isRegularFile(dir.resolve("organism.json"))) {
            Organism current = currentAt(dir, want);
            if (current != null) return current;
            // a cache from an older deepalign whose defaults differ: its numbers are not this version's organism
            System.err.println("deepalign: the cached organism in " + dir + " was built with another configuration; rebuilding it");
            return OrganismBuilder.build(want, dir, true);
        }
        if (Files.exists(dir)) {
            throw new DeepalignException(dir + " holds an incomplete organism (no organism.json); delete it or run `deepalign organism build --out "
                    + dir + " --force`");
        }
        System.err.println("deepalign: building the " + size + " model organism (seed " + seed + ") into " + dir
                + " on first use; later commands reuse it");
        return OrganismBuilder.build(want, dir, false);
    }
}
