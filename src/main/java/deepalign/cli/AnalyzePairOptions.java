package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.analysis.ModelPair;
import deepalign.analysis.Responses;
import deepalign.analysis.Splits;
import deepalign.organism.Organism;
import deepalign.organism.Organisms;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code analyze kl} and {@code analyze tokens}: the model pair, the prompt sets and
 * where the scored responses come from. With no models and no data, the built-in organism's pair and
 * its held-out test prompts are used.
 */
public final class AnalyzePairOptions {
    @Option(names = "--base", paramLabel = "DIR", description = "Base model directory (default: the built-in organism's base).")
    Path base;

    @Option(names = "--aligned", paramLabel = "DIR", description = "Aligned model directory (default: the built-in organism's aligned model).")
    Path aligned;

    @Option(names = "--data", paramLabel = "FILE", description = "One JSONL file, split into harmful and benign by each record's 'harmful' flag.")
    Path data;

    @Option(names = "--harmful", paramLabel = "FILE", description = "JSONL of harmful prompts (with --benign, instead of --data).")
    Path harmful;

    @Option(names = "--benign", paramLabel = "FILE", description = "JSONL of benign prompts (with --harmful, instead of --data).")
    Path benign;

    @Option(names = "--responses", defaultValue = "aligned", paramLabel = "SOURCE",
            description = "Responses scored: dataset (each record's response), aligned or base (greedy generations of that model). Default: ${DEFAULT-VALUE}.")
    String responses;

    @Option(names = "--max-positions", defaultValue = "64", paramLabel = "T", description = "Response positions scored, 1..T; also the generation budget (default: ${DEFAULT-VALUE}).")
    int maxPositions;

    @Option(names = "--batch-size", defaultValue = "0", paramLabel = "N",
            description = "Sequences per forward pass; 0 (default) picks the largest batch whose logits fit 512 MiB per model.")
    int batchSize;

    @Option(names = "--gen-batch-size", defaultValue = "0", paramLabel = "N",
            description = "Prompts per generation batch for --responses aligned|base; 0 (default) sizes it like --batch-size.")
    int genBatchSize;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Use at most N prompts of each split (default: all).")
    int limit;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "TYPE", description = "Compute dtype: float32 (default) or float16 (half the memory; norms and softmax stay float32).")
    String dtype;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the .json, .csv and .png results.")
    Path out;

    private Organism organism;

    Responses.Source source() {
        Responses.Source s = Responses.Source.parse(responses);
        if (s == Responses.Source.REFUSAL) throw new DeepalignException("unknown --responses " + responses + "; use dataset, aligned or base.");
        return s;
    }

    ModelPair loadPair(NDManager manager) {
        if ((base == null) != (aligned == null)) throw new DeepalignException("give both --base and --aligned, or neither for the built-in organism.");
        if (base == null) return ModelPair.load(organism().base(), organism().aligned(), manager, ModelOptions.parseDtype(dtype));
        return ModelPair.load(base, aligned, manager, ModelOptions.parseDtype(dtype));
    }

    Splits splits() {
        return splits(data, harmful, benign, base == null, limit, this::organism);
    }

    /** --data, or --harmful with --benign, or (for the organism's models only) the organism's test splits. */
    static Splits splits(Path data, Path harmful, Path benign, boolean organismModels, int limit, java.util.function.Supplier<Organism> organism) {
        if (data != null && (harmful != null || benign != null)) throw new DeepalignException("give either --data or --harmful and --benign, not both.");
        if ((harmful == null) != (benign == null)) throw new DeepalignException("--harmful and --benign go together; give both files.");
        Splits s;
        if (data != null) s = Splits.fromFile(data);
        else if (harmful != null) s = Splits.fromFiles(harmful, benign);
        else if (organismModels) s = Splits.organismTest(organism.get());
        else throw new DeepalignException("give prompts with --data FILE or --harmful FILE --benign FILE (the organism's test prompts only fit the organism's models).");
        return s.limit(limit);
    }

    /** What an analysis computes from the pair and both splits' scored responses: the report text it prints. */
    interface Analysis {
        String run(ModelPair pair, List<Responses.Scored> harmful, List<Responses.Scored> benign, Map<String, Object> inputs);
    }

    /**
     * Loads the pair, scores both splits' responses (their time goes into the inputs as response_seconds), runs
     * {@code analysis} while the pair is open and prints its report.
     */
    void run(CommandSpec spec, Splits splits, Analysis analysis) {
        try (NDManager m = NDManager.newBaseManager();
                ModelPair pair = loadPair(m)) {
            long t0 = System.nanoTime();
            List<Responses.Scored> h = responses(pair, splits, true);
            List<Responses.Scored> b = responses(pair, splits, false);
            double responseSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> inputs = describe(splits);
            inputs.put("response_seconds", responseSeconds);
            AnalyzeKlCommand.print(spec, analysis.run(pair, h, b, inputs));
        }
    }

    private Map<String, Object> describe(Splits s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base", String.valueOf(base != null ? base : organism().base()));
        m.put("aligned", String.valueOf(aligned != null ? aligned : organism().aligned()));
        m.put("harmful_data", s.harmfulSource());
        m.put("benign_data", s.benignSource());
        m.put("responses", source().label());
        m.put("limit", limit);
        m.put("dtype", dtype);
        m.put("versions", Versions.all());
        return m;
    }

    private List<Responses.Scored> responses(ModelPair pair, Splits s, boolean harmfulSplit) {
        return Responses.forPair(pair, harmfulSplit ? s.harmful() : s.benign(), source(), maxPositions, genBatchSize,
                harmfulSplit ? s.harmfulSource() : s.benignSource());
    }

    private Organism organism() {
        if (organism == null) organism = Organisms.defaultOrganism();
        return organism;
    }
}
