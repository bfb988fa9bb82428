package deepalign.organism;

import deepalign.data.Jsonl;
import java.nio.file.Files;
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

    /**
     * DIR/data/utility_train.jsonl (see {@link World#utilityTrain}), the utility set of completion training and its
     * baselines on the organism; written from the organism's world when an older build lacks it.
     */
    public Path utilityTrain() {
        Path file = data(World.UTILITY_TRAIN);
        if (!Files.isRegularFile(file)) {
            Jsonl.writeExamples(file, World.generate(config.world()).utilityTrain());
        }
        return file;
    }
}
