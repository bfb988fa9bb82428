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

    /**
     * The cached organism of this size and seed, built on first use. The cache is deepalign's own: a folder without
     * organism.json (written last) is a build that was killed, and is built again; a lock file keeps two processes
     * from building the same organism at once (the second waits, then reuses the first's).
     */
    public static Organism cached(String size, long seed) {
        return cached(cacheDir(size, seed), OrganismConfig.forSize(size, seed));
    }

    static Organism cached(Path dir, OrganismConfig want) {
        String size = want.size();
        long seed = want.seed();
        try {
            Files.createDirectories(dir.getParent());
        } catch (java.io.IOException e) {
            throw new DeepalignException("cannot create the organism cache " + dir.getParent() + ": " + e.getMessage(), e);
        }
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock lock = ch.lock()) {
            if (Files.isRegularFile(dir.resolve("organism.json"))) {
                Organism current = currentAt(dir, want);
                if (current != null) return current;
                // a cache from an older deepalign whose defaults differ: its numbers are not this version's organism
                System.err.println("deepalign: the cached organism in " + dir + " was built with another configuration; rebuilding it");
                return OrganismBuilder.build(want, dir, true);
            }
            if (Files.exists(dir)) {
                System.err.println("deepalign: " + dir + " holds an unfinished build (no organism.json: it was stopped before the end); building it again");
                return OrganismBuilder.build(want, dir, true);
            }
            System.err.println("deepalign: building the " + size + " model organism (seed " + seed + ") into " + dir
                    + " on first use; later commands reuse it");
            return OrganismBuilder.build(want, dir, false);
        } catch (java.io.IOException e) {
            throw new DeepalignException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }
}
