package deepalign.data;

import deepalign.DeepalignException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * MMLU in Hendrycks et al.'s CSV layout: one file per subject ({@code SUBJECT_test.csv}, {@code SUBJECT_dev.csv}),
 * no header, columns question, A, B, C, D, answer letter. Examples carry the four options as {@code choices},
 * the gold option index ("0".."3") as {@code answer} and the subject as {@code category}.
 */
public final class Mmlu {
    private Mmlu() {}

    private static final List<String> LETTERS = List.of("A", "B", "C", "D");

    /** One subject file. */
    public static List<Example> loadSubject(Path csv) {
        String subject = subjectOf(csv);
        List<Example> out = new ArrayList<>();
        for (Csv.Row r : Csv.readRows(csv, 6)) {
            int gold = LETTERS.indexOf(r.get(5).trim().toUpperCase(Locale.ROOT));
            if (gold < 0) {
                throw new DeepalignException(csv + " line " + r.line() + ": the answer '" + r.get(5)
                        + "' is not one of A, B, C, D.");
            }
            out.add(new Example("mmlu-" + subject + "-" + out.size(), r.get(0), null, null, subject, false,
                    r.fields().subList(1, 5), String.valueOf(gold), null));
        }
        return out;
    }

    /** Every {@code *.csv} of a folder, by subject (sorted). */
    public static Map<String, List<Example>> loadDir(Path dir) {
        Map<String, List<Example>> out = new TreeMap<>();
        for (Path f : csvFiles(dir)) out.computeIfAbsent(subjectOf(f), s -> new ArrayList<>()).addAll(loadSubject(f));
        if (out.isEmpty()) throw new DeepalignException(dir + " holds no MMLU .csv files.");
        return out;
    }

    /** The first {@code k} exemplars of a subject from the dev folder ({@code SUBJECT_dev.csv}), as the harness takes them. */
    public static List<Example> shots(Path devDir, String subject, int k) {
        if (k <= 0) return List.of();
        Path f = devDir.resolve(subject + "_dev.csv");
        if (!Files.isRegularFile(f)) {
            throw new DeepalignException("no MMLU dev file " + f + " for " + k + "-shot prompts of subject '" + subject + "'.");
        }
        List<Example> dev = loadSubject(f);
        return dev.subList(0, Math.min(k, dev.size()));
    }

    /** Ready-to-score prompts for every test question of a folder, with {@code k} dev exemplars per subject. */
    public static List<Prompts.McPrompt> prompts(Path testDir, Path devDir, int k) {
        List<Prompts.McPrompt> out = new ArrayList<>();
        for (Map.Entry<String, List<Example>> e : loadDir(testDir).entrySet()) {
            List<Example> shots = devDir == null ? List.of() : shots(devDir, e.getKey(), k);
            for (Example q : e.getValue()) out.add(Prompts.mmlu(e.getKey(), shots, q));
        }
        return out;
    }

    /** {@code abstract_algebra_test.csv} -> {@code abstract_algebra}. */
    public static String subjectOf(Path csv) {
        return csv.getFileName().toString().replaceFirst("(?i)\\.csv$", "").replaceFirst("_(test|dev|val|validation)$", "");
    }

    private static List<Path> csvFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")).sorted().toList();
        } catch (IOException e) {
            throw new DeepalignException("cannot list the MMLU folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
