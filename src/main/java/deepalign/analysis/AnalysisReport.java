package deepalign.analysis;

import deepalign.report.Csv;
import deepalign.report.JsonOut;
import deepalign.report.Plots;
import deepalign.report.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a diagnostic as DIR/NAME.json (config, per-position arrays under "positions", split by
 * harmful/benign), DIR/NAME.csv (one row per position and split) and DIR/NAME.png (both splits with
 * +-1 standard-error bands), and renders the compact terminal table by position bucket.
 */
public final class AnalysisReport {
    /** Position buckets of the terminal tables: the first tokens, then wider and wider stretches. */
    static final int[][] BUCKETS = {{1, 3}, {4, 10}, {11, 20}, {21, 40}, {41, 64}};

    private AnalysisReport() {}

    // ------------------------------------------------------------------ positional KL

    public static String kl(PositionalKl.Result r, Map<String, Object> inputs, Path dir, String name) {
        Map<String, Object> config = new LinkedHashMap<>(inputs);
        config.put("max_positions", r.config().maxPositions());
        config.put("batch_size", r.config().batchSize());
        String table = writeOneMetric(KL, config, r.harmful(), r.benign(), r.harmfulPerExample().size(), r.benignPerExample().size(),
                r.seconds(), dir, name);
        return table + String.format(Locale.ROOT, "ratio mean KL(1-3) / mean KL(21-40): harmful %s, benign %s%n",
                fmt(r.ratio(r.harmful())), fmt(r.ratio(r.benign())));
    }

    static Map<String, Object> headline(PositionStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean_1_3", finite(s.meanOver(1, 3)));
        m.put("mean_4_10", finite(s.meanOver(4, 10)));
        m.put("mean_21_40", finite(s.meanOver(21, 40)));
        m.put("ratio_1_3_over_21_40", finite(s.meanOver(1, 3) / s.meanOver(21, 40)));
        return m;
    }

    // ------------------------------------------------------------------ base-favored tokens

    public static String tokens(BaseFavored.Result r, Map<String, Object> inputs, Path dir, String name) {
        Map<String, Object> config = new LinkedHashMap<>(inputs);
        config.put("max_positions", r.config().maxPositions());
        config.put("k", r.config().k());
        config.put("p_min", r.config().pMin());
        config.put("batch_size", r.config().batchSize());
        Map<String, Object> pos = new LinkedHashMap<>();
        pos.put("position", list(r.harmful().baseMass().positions()));
        pos.put("harmful", splitJson(r.harmful()));
        pos.put("benign", splitJson(r.benign()));
        int exceeds = harmfulMassExceeds(r, 20);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("harmful_base_mass_exceeds_benign_positions_1_20", exceeds);
        summary.put("compared_positions_1_20", comparable(r, 20));
        summary.put("harmful_base_mass_1_3", finite(r.harmful().baseMass().meanOver(1, 3)));
        summary.put("benign_base_mass_1_3", finite(r.benign().baseMass().meanOver(1, 3)));
        Map<String, Object> json = document("base_favored_tokens", config, pos, summary, r.harmful().examples(),
                r.benign().examples(), r.seconds());
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("harmful", r.harmful().topTokens());
        top.put("benign", r.benign().topTokens());
        json.put("top_tokens", top);
        JsonOut.writeAtomic(dir.resolve(name + ".json"), json);
        writeLongCsv(dir.resolve(name + ".csv"), List.of("size", "base_mass", "aligned_mass"),
                List.of(r.harmful().size(), r.harmful().baseMass(), r.harmful().alignedMass()),
                List.of(r.benign().size(), r.benign().baseMass(), r.benign().alignedMass()));
        plot("Base-favored token mass", "mass on B_t, band: +-1 s.e.", dir.resolve(name),
                List.of("harmful, base mass", "benign, base mass", "harmful, aligned mass", "benign, aligned mass"),
                List.of(r.harmful().baseMass(), r.benign().baseMass(), r.harmful().alignedMass(), r.benign().alignedMass()));

        Table t = Table.of("positions", "|B| harm", "|B| benign", "m^B harm", "m^B benign", "m^A harm", "m^A benign")
                .title("base-favored tokens (k " + r.config().k() + ", p_min " + r.config().pMin() + ") -> " + dir.resolve(name + ".json"));
        for (int[] b : buckets(r.harmful().baseMass().positions())) {
            t.row(b[0] + "-" + b[1], r.harmful().size().meanOver(b[0], b[1]), r.benign().size().meanOver(b[0], b[1]),
                    r.harmful().baseMass().meanOver(b[0], b[1]), r.benign().baseMass().meanOver(b[0], b[1]),
                    r.harmful().alignedMass().meanOver(b[0], b[1]), r.benign().alignedMass().meanOver(b[0], b[1]));
        }
        return t.render()
                + String.format(Locale.ROOT, "harmful base mass > benign at %d of %d positions in 1-20%n", exceeds, comparable(r, 20))
                + "top base-favored tokens, harmful: " + topLine(r.harmful().topTokens(), 10) + "\n"
                + "top base-favored tokens, benign:  " + topLine(r.benign().topTokens(), 10) + "\n";
    }

    /** Positions in 1..upTo where both splits have data and the harmful base mass is the larger. */
    public static int harmfulMassExceeds(BaseFavored.Result r, int upTo) {
        PositionStats h = r.harmful().baseMass();
        PositionStats b = r.benign().baseMass();
        int k = 0;
        for (int t = 1; t <= upTo; t++) if (h.meanAt(t) > b.meanAt(t)) k++; // NaN compares false
        return k;
    }

    static int comparable(BaseFavored.Result r, int upTo) {
        int k = 0;
        for (int t = 1; t <= upTo; t++) {
            if (Double.isFinite(r.harmful().baseMass().meanAt(t)) && Double.isFinite(r.benign().baseMass().meanAt(t))) k++;
        }
        return k;
    }

    private static Map<String, Object> splitJson(BaseFavored.SplitStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", s.size().toJson());
        m.put("base_mass", s.baseMass().toJson());
        m.put("aligned_mass", s.alignedMass().toJson());
        return m;
    }

    private static String topLine(List<BaseFavored.TokenCount> top, int n) {
        List<String> parts = new ArrayList<>();
        for (BaseFavored.TokenCount c : top.subList(0, Math.min(n, top.size()))) parts.add("\"" + c.text() + "\" " + c.count());
        return parts.isEmpty() ? "(none)" : String.join(", ", parts);
    }

    // ------------------------------------------------------------------ gradients

    public static String gradients(GradientByPosition.Result r, Map<String, Object> inputs, Path dir, String name) {
        Map<String, Object> config = new LinkedHashMap<>(inputs);
        config.put("positions", list(r.config().positions()));
        return writeOneMetric(GRADIENT, config, r.harmful(), r.benign(), r.harmfulExamples(), r.benignExamples(), r.seconds(), dir, name);
    }

    // ------------------------------------------------------------------ shared

    /** How a diagnostic with one value per position and split (KL, gradient norm) is named in each output. */
    private record OneMetric(String analysis, String csvMetric, String plotTitle, String yLabel, String tableTitle, String column) {}

    private static final OneMetric KL = new OneMetric("positional_kl", "kl", "Positional KL(aligned || base)",
            "KL (nats), band: +-1 s.e.", "positional KL(aligned || base)", "KL");
    private static final OneMetric GRADIENT = new OneMetric("gradient_by_position", "grad_norm", "Gradient norm of log p(y_t) by position",
            "||grad||_2, band: +-1 s.e.", "gradient norm by position", "g");

    /**
     * Writes NAME.json (per-position arrays and the headline means as summary), NAME.csv and NAME.png of a
     * one-metric diagnostic and returns its bucket table; n is read at each bucket's first tracked position.
     */
    private static String writeOneMetric(OneMetric m, Map<String, Object> config, PositionStats harmful, PositionStats benign,
                                         int harmfulExamples, int benignExamples, double seconds, Path dir, String name) {
        Map<String, Object> pos = new LinkedHashMap<>();
        pos.put("position", list(harmful.positions()));
        pos.put("harmful", harmful.toJson());
        pos.put("benign", benign.toJson());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("harmful", headline(harmful));
        summary.put("benign", headline(benign));
        JsonOut.writeAtomic(dir.resolve(name + ".json"),
                document(m.analysis(), config, pos, summary, harmfulExamples, benignExamples, seconds));
        writeLongCsv(dir.resolve(name + ".csv"), List.of(m.csvMetric()), List.of(harmful), List.of(benign));
        plot(m.plotTitle(), m.yLabel(), dir.resolve(name), List.of("harmful", "benign"), List.of(harmful, benign));

        Table t = Table.of("positions", m.column() + " harmful", m.column() + " benign", "n harmful", "n benign")
                .title(m.tableTitle() + " -> " + dir.resolve(name + ".json"));
        for (int[] b : buckets(harmful.positions())) {
            t.row(b[0] + "-" + b[1], harmful.meanOver(b[0], b[1]), benign.meanOver(b[0], b[1]), nFrom(harmful, b[0]), nFrom(benign, b[0]));
        }
        return t.render();
    }

    private static Map<String, Object> document(String analysis, Map<String, Object> config, Map<String, Object> positions,
                                                Map<String, Object> summary, int harmfulExamples, int benignExamples, double seconds) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("analysis", analysis);
        json.put("config", config);
        Map<String, Object> examples = new java.util.LinkedHashMap<>(); // fixed key order: same run, same file
        examples.put("harmful", harmfulExamples);
        examples.put("benign", benignExamples);
        json.put("examples", examples);
        json.put("summary", summary);
        json.put("positions", positions);
        json.put("seconds", seconds);
        return json;
    }

    /** Buckets clipped to the tracked positions; positions past 64 get one last bucket. */
    static List<int[]> buckets(int[] positions) {
        int max = Arrays.stream(positions).max().orElse(0);
        List<int[]> out = new ArrayList<>();
        for (int[] b : BUCKETS) {
            if (b[0] > max) break;
            out.add(new int[] {b[0], Math.min(b[1], max)});
        }
        if (max > 64) out.add(new int[] {65, max});
        return out;
    }

    /** One row per (position, split): position, split, n, then mean and stderr of each metric. */
    private static void writeLongCsv(Path file, List<String> metrics, List<PositionStats> harmful, List<PositionStats> benign) {
        List<String> header = new ArrayList<>(List.of("position", "split", "n"));
        for (String m : metrics) {
            header.add(m + "_mean");
            header.add(m + "_stderr");
        }
        List<List<Object>> rows = new ArrayList<>();
        int[] positions = harmful.get(0).positions();
        for (int i = 0; i < positions.length; i++) {
            for (String split : List.of("harmful", "benign")) {
                List<PositionStats> stats = split.equals("harmful") ? harmful : benign;
                List<Object> row = new ArrayList<>(List.of(positions[i], split, stats.get(0).n()[i]));
                for (PositionStats s : stats) {
                    row.add(finite(s.mean()[i]));
                    row.add(finite(s.stderr()[i]));
                }
                rows.add(row);
            }
        }
        Csv.write(file, header, rows);
    }

    /** Lines with +-1 s.e. bands over the positions where each split has data; no PNG when nothing has data. */
    private static void plot(String title, String yLabel, Path out, List<String> names, List<PositionStats> stats) {
        List<Plots.Series> series = new ArrayList<>();
        for (int s = 0; s < stats.size(); s++) {
            PositionStats p = stats.get(s);
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < p.positions().length; i++) if (p.n()[i] > 0) keep.add(i);
            if (keep.isEmpty()) continue;
            double[] x = new double[keep.size()];
            double[] y = new double[keep.size()];
            double[] e = new double[keep.size()];
            for (int j = 0; j < keep.size(); j++) {
                x[j] = p.positions()[keep.get(j)];
                y[j] = p.mean()[keep.get(j)];
                e[j] = p.stderr()[keep.get(j)];
            }
            series.add(new Plots.Series(names.get(s), x, y, e));
        }
        if (!series.isEmpty()) Plots.linePlotWithBands(title, "response position t", yLabel, series, out, false);
    }

    /** n at the first tracked position at or after {@code position} (gradients sample positions; KL tracks every one). */
    private static int nFrom(PositionStats s, int position) {
        for (int i = 0; i < s.positions().length; i++) if (s.positions()[i] >= position) return s.n()[i];
        return 0;
    }

    private static List<Integer> list(int[] xs) {
        List<Integer> out = new ArrayList<>(xs.length);
        for (int x : xs) out.add(x);
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
    }
}
