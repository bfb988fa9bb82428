package deepalign.data;

import deepalign.DeepalignException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Loaders for the public harmful-prompt benchmarks, each as the CSV its authors publish. */
public final class HarmfulSets {
    private HarmfulSets() {}

    /** HEx-PHI's eleven categories, in the order of its {@code category_N.csv} files. */
    static final Map<Integer, String> HEX_PHI_CATEGORIES = Map.ofEntries(
            Map.entry(1, "illegal_activity"), Map.entry(2, "child_abuse_content"),
            Map.entry(3, "hate_harass_violence"), Map.entry(4, "malware"), Map.entry(5, "physical_harm"),
            Map.entry(6, "economic_harm"), Map.entry(7, "fraud_deception"), Map.entry(8, "adult_content"),
            Map.entry(9, "political_campaigning"), Map.entry(10, "privacy_violation_activity"),
            Map.entry(11, "tailored_financial_advice"));

    /** AdvBench {@code harmful_behaviors.csv} (columns goal, target). Ids are {@code advbench-0, -1, ...}. */
    public static List<Example> advBench(Path csv) {
        Csv.Table t = Csv.readTable(csv);
        int goal = t.column("goal");
        int target = t.column("target");
        List<Example> out = new ArrayList<>();
        for (Csv.Row r : t.rows()) {
            out.add(new Example("advbench-" + out.size(), r.get(goal), null, null, "advbench", true,
                    List.of(), null, r.get(target)));
        }
        return out;
    }

    /**
     * HarmBench behaviors CSV (Behavior, FunctionalCategory, SemanticCategory, Tags, ContextString, BehaviorID).
     * A contextual behavior's prompt is the context, a {@code ---} separator, then the behavior, as HarmBench
     * itself formats it; the category is the semantic category.
     */
    public static List<Example> harmBench(Path csv) {
        Csv.Table t = Csv.readTable(csv);
        int behavior = t.column("Behavior");
        int semantic = t.column("SemanticCategory");
        int id = t.column("BehaviorID");
        int context = t.hasColumn("ContextString") ? t.column("ContextString") : -1;
        List<Example> out = new ArrayList<>();
        for (Csv.Row r : t.rows()) {
            String ctx = context < 0 ? "" : r.get(context).trim();
            String prompt = ctx.isEmpty() ? r.get(behavior) : ctx + "\n\n---\n\n" + r.get(behavior);
            out.add(Example.harmful(r.get(id), prompt, null, r.get(semantic)));
        }
        return out;
    }

    /**
     * JailbreakBench behaviors CSV (Goal, Target, Behavior, Category, Source; an Index column is optional).
     * Ids are {@code jbb-INDEX}, or {@code jbb-ROW} without an Index column.
     */
    public static List<Example> jailbreakBench(Path csv) {
        Csv.Table t = Csv.readTable(csv);
        int goal = t.column("Goal");
        int target = t.column("Target");
        int category = t.column("Category");
        int index = t.hasColumn("Index") ? t.column("Index") : -1;
        List<Example> out = new ArrayList<>();
        for (Csv.Row r : t.rows()) {
            String id = "jbb-" + (index < 0 ? String.valueOf(out.size()) : r.get(index));
            out.add(new Example(id, r.get(goal), null, null, r.get(category), true, List.of(), null, r.get(target)));
        }
        return out;
    }

    /**
     * One HEx-PHI category file: one prompt per line, no header. The category comes from the file name:
     * {@code category_3.csv} and {@code 3_Hate_Harass_Violence.csv} both give {@code hate_harass_violence}.
     */
    public static List<Example> hexPhi(Path csv) {
        String category = hexPhiCategory(csv);
        List<Example> out = new ArrayList<>();
        for (Csv.Row r : Csv.readRows(csv, 1)) {
            out.add(Example.harmful("hexphi-" + category + "-" + out.size(), r.get(0), null, category));
        }
        return out;
    }

    /** Every {@code *.csv} of a HEx-PHI folder, in category-number order. */
    public static List<Example> hexPhiDir(Path dir) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
                    .sorted(Comparator.comparingInt(HarmfulSets::categoryNumber)
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new DeepalignException("cannot list the HEx-PHI folder " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) throw new DeepalignException(dir + " holds no HEx-PHI .csv files.");
        List<Example> out = new ArrayList<>();
        for (Path f : files) out.addAll(hexPhi(f));
        return out;
    }

    private static final Pattern NUMBERED = Pattern.compile("(?i)^(?:category_)?(\\d{1,6})(?:_(.*))?$");

    static String hexPhiCategory(Path csv) {
        String stem = csv.getFileName().toString().replaceFirst("(?i)\\.csv$", "");
        Matcher m = NUMBERED.matcher(stem);
        if (m.matches()) {
            if (m.group(2) != null && !m.group(2).isBlank()) return slug(m.group(2));
            String known = HEX_PHI_CATEGORIES.get(Integer.parseInt(m.group(1)));
            if (known != null) return known;
        }
        return slug(stem);
    }

    private static int categoryNumber(Path p) {
        Matcher m = NUMBERED.matcher(p.getFileName().toString().replaceFirst("(?i)\\.csv$", ""));
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    private static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
