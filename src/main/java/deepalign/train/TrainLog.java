package deepalign.train;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.data.Jsonl;
import deepalign.report.Plots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DIR/train.jsonl: a header line {"header": {...}} (run config, teacher truncation note), then one line
 * per optimizer step. On resume the lines after the checkpoint's step are dropped, since those steps
 * are trained again.
 */
public final class TrainLog {
    private final Path file;
    private final List<Map<String, Object>> steps = new ArrayList<>();

    /** Starts a fresh log, or (resumeStep >= 0) keeps the header and the steps up to resumeStep. */
    public TrainLog(Path file, Map<String, Object> header, long resumeStep) {
        this.file = file;
        StringBuilder sb = new StringBuilder();
        sb.append(Jsonl.toJson(Map.of("header", header))).append('\n');
        if (resumeStep >= 0 && Files.isRegularFile(file)) {
            for (JsonNode n : readSteps(file)) {
                if (n.path("step").asLong() > resumeStep) continue;
                @SuppressWarnings("unchecked")
                Map<String, Object> m = Jsonl.MAPPER.convertValue(n, LinkedHashMap.class);
                steps.add(m);
                sb.append(Jsonl.toJson(m)).append('\n');
            }
        }
        Jsonl.writeAtomic(file, sb.toString());
    }

    /** The step lines of a train.jsonl, in file order (the header dropped). */
    public static List<JsonNode> readSteps(Path file) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : Jsonl.readTree(file)) if (!n.has("header")) out.add(n);
        return out;
    }

    /** One quantity of a run's train.jsonl against the step, named {@code name}; null when the file or the quantity is absent. */
    public static Plots.Series curve(Path file, String key, String name) {
        if (!Files.isRegularFile(file)) return null;
        List<JsonNode> steps = readSteps(file).stream().filter(n -> n.has("step") && n.has(key)).toList();
        if (steps.isEmpty()) return null;
        double[] x = steps.stream().mapToDouble(n -> n.get("step").asDouble()).toArray();
        double[] y = steps.stream().mapToDouble(n -> n.get(key).asDouble()).toArray();
        return new Plots.Series(name, x, y);
    }

    public void step(Map<String, Object> line) {
        steps.add(line);
        Jsonl.appendLine(file, line);
    }

    public List<Map<String, Object>> steps() {
        return steps;
    }

    /** DIR/NAME.png: one line per key against the step. */
    public void plot(Path outWithoutExtension, String title, List<String> keys) {
        if (steps.isEmpty()) return;
        double[] x = new double[steps.size()];
        for (int i = 0; i < x.length; i++) x[i] = ((Number) steps.get(i).get("step")).doubleValue();
        List<Plots.Series> series = new ArrayList<>();
        for (String k : keys) {
            if (!steps.get(0).containsKey(k)) continue;
            double[] y = new double[x.length];
            for (int i = 0; i < y.length; i++) y[i] = ((Number) steps.get(i).get(k)).doubleValue();
            series.add(new Plots.Series(k, x, y));
        }
        Plots.linePlot(title, "step", "loss", series, false, outWithoutExtension, false);
    }
}
