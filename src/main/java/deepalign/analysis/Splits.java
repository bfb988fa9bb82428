package deepalign.analysis;

import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.organism.Organism;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The harmful and benign prompt sets a diagnostic is reported on, and where each came from (for the
 * report's config and for error messages).
 */
public record Splits(List<Example> harmful, List<Example> benign, String harmfulSource, String benignSource) {

    public Splits {
        harmful = List.copyOf(harmful);
        benign = List.copyOf(benign);
    }

    /** One file, split by each record's {@code harmful} flag. */
    public static Splits fromFile(Path file) {
        List<Example> h = new ArrayList<>();
        List<Example> b = new ArrayList<>();
        for (Example e : read(file)) (e.harmful() ? h : b).add(e);
        return new Splits(h, b, file.toString(), file.toString());
    }

    /** Two files: every record of the first counts as harmful, every record of the second as benign. */
    public static Splits fromFiles(Path harmfulFile, Path benignFile) {
        return new Splits(read(harmfulFile), read(benignFile), harmfulFile.toString(), benignFile.toString());
    }

    /** An organism's held-out test prompts (harmful_test.jsonl, benign_test.jsonl). */
    public static Splits organismTest(Organism o) {
        return fromFiles(o.data("harmful_test"), o.data("benign_test"));
    }

    /** The first {@code n} examples of each split (n <= 0 keeps all). */
    public Splits limit(int n) {
        if (n <= 0) return this;
        return new Splits(harmful.subList(0, Math.min(n, harmful.size())), benign.subList(0, Math.min(n, benign.size())),
                harmfulSource, benignSource);
    }

    private static List<Example> read(Path file) {
        if (!Files.isRegularFile(file)) throw new DeepalignException("data file " + file + " does not exist.");
        return Jsonl.readExamples(file);
    }
}
