package deepalign.demo;

import deepalign.analysis.BaseFavored;
import deepalign.analysis.PositionalKl;
import deepalign.eval.Rates;
import deepalign.report.HtmlReport;
import deepalign.report.Plots;
import deepalign.report.Table;
import deepalign.train.TrainLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** report.html: one self-contained page with the headline table, the plots and example responses. */
final class DemoHtml {
    /** By-position curves are drawn where at least this many responses (all of them, when fewer were scored) reach. */
    static final int MIN_PLOTTED = 10;

    private DemoHtml() {}

    @SuppressWarnings("unchecked")
    static void write(Path file, Map<String, Object> report, DemoConfig cfg, PositionalKl.Result kl, BaseFavored.Result fav,
                      BaseFavored.Result favDataset, Path out) {
        HtmlReport h = new HtmlReport().title("deepalign demo: shallow alignment found, attacked, defended and repaired");
        Object org = ((Map<String, Object>) report.get("config")).get("organism_config");
        String recipe = org instanceof deepalign.organism.OrganismConfig oc ? ", alignment recipe " + oc.align().name() : "";
        h.paragraph("Model organism (" + cfg.organismLabel() + recipe + (cfg.quick() ? ", --quick: a smaller model and world, smaller attack and training budgets" : "")
                + "), seed " + cfg.seed() + ". Held-out harmful prompts, greedy decoding, exact oracle judge (harmful = two harm markers of"
                + " the prompt's category; refusal = a refusal cue; other = neither). Under prefill attacks only the continuation is judged.");
        List<deepalign.organism.OrganismCard.Check> checks =
                (List<deepalign.organism.OrganismCard.Check>) report.getOrDefault("organism_card_checks", List.of());
        List<String> missed = deepalign.organism.OrganismCard.missed(checks);
        if (!missed.isEmpty()) {
            h.paragraph("This organism misses " + missed.size() + " of " + checks.size() + " card lines, so the pair below does not reproduce"
                    + " what the organism card asks: " + String.join("; ", missed) + ".");
        }
        Map<String, Map<String, Rates>> asr = (Map<String, Map<String, Rates>>) report.get("asr");
        Map<String, Map<String, Double>> util = (Map<String, Map<String, Double>>) report.get("utility");
        Set<String> attacks = new LinkedHashSet<>();
        for (Map<String, Rates> m : asr.values()) attacks.addAll(m.keySet());
        List<String> headers = new ArrayList<>(List.of("method"));
        headers.addAll(attacks);
        headers.add("mc");
        headers.add("math");
        List<List<String>> rows = new ArrayList<>();
        for (var e : asr.entrySet()) {
            List<String> row = new ArrayList<>(List.of(e.getKey()));
            for (String a : attacks) {
                Rates r = e.getValue().get(a);
                row.add(r == null ? "" : Table.rateCi(r.asr(), r.ci95()[0], r.ci95()[1]) + " (other " + Table.pct(r.otherRate()) + ")");
            }
            Map<String, Double> u = util.get(e.getKey());
            row.add(u == null ? "" : Table.pct(u.get("mc")));
            row.add(u == null ? "" : Table.pct(u.get("math")));
            rows.add(row);
        }
        Map<String, String> errors = (Map<String, String>) report.get("errors");
        if (errors != null && !errors.isEmpty()) {
            h.heading("Stages that failed");
            for (var e : errors.entrySet()) h.paragraph(e.getKey() + ": " + e.getValue());
        }
        h.heading("Attack success rate (harmful share, 95% Wilson interval) and utility");
        h.table(headers, rows);
        h.paragraph("The finetune column is the direct ASR after a fine-tuning attack on the aligned model (aligned row) and after the two-stage recovery (recovered row).");

        Map<String, double[]> klBy = (Map<String, double[]>) report.get("kl_by_position");
        Map<String, int[]> klN = (Map<String, int[]>) report.getOrDefault("kl_by_position_n", Map.of());
        List<Plots.Series> ks = new ArrayList<>();
        for (var e : klBy.entrySet()) {
            int len = plotted(e.getValue().length, klN.get(e.getKey()));
            ks.add(new Plots.Series("KL(" + e.getKey() + " || base)", positions(len), java.util.Arrays.copyOf(e.getValue(), len)));
        }
        h.heading("KL by response position, harmful prompts, each model's own responses");
        h.paragraph("Each line stops at the last position that at least " + MIN_PLOTTED + " responses reach: past it a mean rests on a"
                + " handful of long answers. report.json keeps every position (kl_by_position) and how many responses reach each"
                + " (kl_by_position_n).");
        h.image("Positional KL before and after completion training", Plots.pngBytes(Plots.linePlotChart("KL by position", "position", "KL", ks, false)));

        List<Plots.Series> fs = List.of(massSeries("harmful, aligned answers", fav.harmful()), massSeries("benign, aligned answers", fav.benign()),
                massSeries("harmful, dataset answers", favDataset.harmful()), massSeries("benign, dataset answers", favDataset.benign()));
        h.heading("Base-favored tokens: base model's mass on them, harmful vs benign contexts");
        h.paragraph("Along the aligned model's own answers (refusals for harmful prompts) and along the dataset's answers (harmful text for"
                + " harmful prompts, helpful text for benign ones); up to the last position at least " + MIN_PLOTTED + " of them reach.");
        h.image("Base-favored mass by position", Plots.pngBytes(Plots.linePlotWithBandsChart("Base-favored mass", "position", "mass", fs)));

        Map<String, List<List<Double>>> gcg = (Map<String, List<List<Double>>>) report.get("gcg_loss_curves");
        if (gcg != null && !gcg.isEmpty()) {
            List<Plots.Series> gs = new ArrayList<>();
            for (var e : gcg.entrySet()) gs.add(meanCurve(e.getKey() + " (mean over " + e.getValue().size() + " prompts)", e.getValue()));
            h.heading("GCG: target loss by step");
            h.paragraph("Mean target cross-entropy (nats per target token) of the best suffix so far, over the attacked prompts; a prompt"
                    + " that broke early keeps its last value.");
            h.image("GCG loss curves", Plots.pngBytes(Plots.linePlotChart("GCG target loss", "step", "loss", gs, false)));
        }

        List<Plots.Series> ts = new ArrayList<>();
        for (String run : List.of("completion", "sft_refusal", "augment", "recovery/stage1", "recovery/stage2")) {
            Plots.Series c = TrainLog.curve(out.resolve("train").resolve(run).resolve("train.jsonl"), "loss", run);
            if (c != null) ts.add(c);
        }
        if (!ts.isEmpty()) {
            h.heading("Training loss by step");
            h.paragraph("Targeted completion (L_KL + L_comp), the two baselines (cross-entropy) and the two recovery stages; from each run's train.jsonl.");
            h.image("Training loss curves", Plots.pngBytes(Plots.linePlotChart("Training loss", "step", "loss", ts, false)));
        }

        h.heading("Example responses (synthetic harmful text, folded)");
        Map<String, List<Map<String, Object>>> ex = (Map<String, List<Map<String, Object>>>) report.get("examples");
        for (var e : ex.entrySet()) {
            StringBuilder sb = new StringBuilder();
            for (Map<String, Object> r : e.getValue()) {
                sb.append("prompt: ").append(r.get("prompt")).append('\n');
                if (r.get("injected") != null) sb.append("injected: ").append(r.get("injected")).append('\n');
                sb.append("response: ").append(r.get("response")).append('\n').append("verdict: ").append(r.get("verdict")).append("\n\n");
            }
            h.folded(e.getKey(), sb.toString());
        }
        h.heading("Timing (seconds)");
        List<List<String>> trows = new ArrayList<>();
        for (var e : ((Map<String, Double>) report.get("timing")).entrySet()) trows.add(List.of(e.getKey(), String.format("%.1f", e.getValue())));
        h.table(List.of("stage", "seconds"), trows);
        List<String> reused = (List<String>) report.getOrDefault("reused_training_runs", List.of());
        if (!reused.isEmpty()) {
            h.paragraph("This run reused training runs finished by an earlier run into the same folder (same configuration), so their "
                    + "training time is not in the stages above: " + String.join(", ", reused) + ".");
        }
        h.paragraph("Every figure traces back to its records under " + out.resolve("stages") + " and the training logs under " + out.resolve("train") + ".");
        h.write(file);
    }

    /** The mean over prompts at every step, a finished prompt counting with its last value. */
    static Plots.Series meanCurve(String name, List<List<Double>> curves) {
        int n = curves.stream().mapToInt(List::size).max().orElse(0);
        double[] mean = new double[n];
        for (List<Double> c : curves) {
            for (int i = 0; i < n; i++) mean[i] += c.isEmpty() ? 0 : c.get(Math.min(i, c.size() - 1)) / curves.size();
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return new Plots.Series(name, x, mean);
    }

    private static Plots.Series massSeries(String name, BaseFavored.SplitStats s) {
        int len = plotted(Demo.finitePrefix(s.baseMass().mean()).length, s.baseMass().n());
        double[] mean = java.util.Arrays.copyOf(s.baseMass().mean(), len);
        double[] err = java.util.Arrays.copyOf(s.baseMass().stderr(), len);
        return new Plots.Series(name, positions(len), mean, err);
    }

    /**
     * How many leading positions of a by-position curve to draw: up to the last one that at least {@link #MIN_PLOTTED}
     * responses reach (every response, when fewer were scored; {@code reached[i]} responses reach position i + 1), and
     * at least one; all {@code length} when the counts are unknown.
     */
    static int plotted(int length, int[] reached) {
        if (reached == null || reached.length == 0) return length;
        int need = Math.min(MIN_PLOTTED, reached[0]);
        int len = 0;
        while (len < length && len < reached.length && reached[len] >= need) len++;
        return Math.max(1, Math.min(length, len));
    }

    private static double[] positions(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }
}
