package deepalign.testing;

import deepalign.organism.Organism;
import deepalign.organism.OrganismBuilder;
import deepalign.organism.OrganismConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One tiny organism per test JVM (about 15 s to build), shared by every test that needs a real
 * (base, aligned) pair with a shared tokenizer. Tests must not modify it; copy what they change.
 */
public final class TinyOrganism {
    private static Organism organism;

    private TinyOrganism() {}

    /** A smaller recipe than `--size tiny`, enough for a pair that differs and a working chat format. */
    public static OrganismConfig config() {
        OrganismConfig c = OrganismConfig.forSize("tiny", 1).withPretrainSteps(200);
        return c.withAlign(new OrganismConfig.AlignRecipe("sft+doc-replay", 60, 1e-3, 0.3));
    }

    public static synchronized Organism get() {
        if (organism == null) {
            try {
                Path dir = Files.createTempDirectory("deepalign-tiny-organism");
                organism = OrganismBuilder.build(config(), dir, false);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }
        return organism;
    }
}
