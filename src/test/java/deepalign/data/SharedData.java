package deepalign.data;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real datasets in ../shared/data (never in the repo); tests that need them skip when absent. */
final class SharedData {
    private SharedData() {}

    /** {@code ../shared/data}, or the folder named by DEEPALIGN_SHARED_DATA (for worktrees that sit elsewhere). */
    static Path dir() {
        String env = System.getenv("DEEPALIGN_SHARED_DATA");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared", "data");
    }

    static Path require(String relative) {
        Path p = dir().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "skipped: " + p + " is absent (the shared datasets are not next to this checkout)");
        return p;
    }
}
