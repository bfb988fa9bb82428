package deepalign.organism;

import java.nio.file.Path;

/** A built organism on disk. */
public record Organism(Path dir, OrganismConfig config, OrganismCard card) {
    public Path base() {
        return dir.resolve("base");
    }

    public Path aligned() {
        return dir.resolve("aligned");
    }

    public Path data(String split) {
        return dir.resolve("data").resolve(split + ".jsonl");
    }
}
