package deepalign.train;

import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.organism.Organism;
import deepalign.testing.TinyOrganism;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small data files cut from the shared tiny organism, so that training tests take a few steps. */
final class TrainFixtures {
    private static Path dir;

    private TrainFixtures() {}

    /**
     * The shared tiny organism. While iterating on this package, -Ddeepalign.train.tinyOrganism=DIR reuses
     * one already built (building it takes minutes on a busy machine); unset, the fixture builds its own.
     */
    static Organism organism() {
        String dev = System.getProperty("deepalign.train.tinyOrganism");
        if (dev != null && !dev.isBlank()) return new Organism(Path.of(dev), TinyOrganism.config(), null);
        return TinyOrganism.get();
    }

    static synchronized Path data() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("deepalign-train-data");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            Organism o = organism();
            List<Example> harmful = Jsonl.readExamples(o.data("harmful_train"));
            List<Example> benign = Jsonl.readExamples(o.data("benign_train"));
            Jsonl.writeExamples(dir.resolve("harmful.jsonl"), harmful.subList(0, 12));
            Jsonl.writeExamples(dir.resolve("utility.jsonl"), benign.subList(0, 12));
        }
        return dir;
    }

    static Path harmful() {
        return data().resolve("harmful.jsonl");
    }

    static Path utility() {
        return data().resolve("utility.jsonl");
    }

    /** 1 epoch of 4 steps (12 harmful / 12 utility at batch 8: 3 + 5 per batch), dataset responses. */
    static CompletionConfig quick(Path out) {
        Organism o = organism();
        TrainingData.Config data = new TrainingData.Config(harmful(), utility(), TrainingData.Source.DATASET, TrainingData.Source.DATASET,
                16, 0, 0, 256);
        return CompletionConfig.defaults(o.base(), o.aligned(), harmful(), utility(), out).withData(data).withSchedule(1, 1e-3, 8);
    }
}
