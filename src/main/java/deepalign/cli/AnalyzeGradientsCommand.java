package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.analysis.AnalysisReport;
import deepalign.analysis.GradientByPosition;
import deepalign.analysis.Positions;
import deepalign.analysis.Responses;
import deepalign.analysis.Splits;
import deepalign.data.Example;
import deepalign.model.LanguageModel;
import deepalign.organism.Organisms;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deepalign analyze gradients}: ||d log p(y_t) / d theta|| by response position for one model. */
@Command(name = "gradients", mixinStandardHelpOptions = true,
        description = "Gradient norm of log p(y_t | x, y_<t) per response position, one backward each (slow: few examples); writes gradients.json, .csv, .png.")
public final class AnalyzeGradientsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--data", paramLabel = "FILE", description = "One JSONL file, split by each record's 'harmful' flag.")
    Path data;

    @Option(names = "--harmful", paramLabel = "FILE", description = "JSONL of harmful prompts (with --benign, instead of --data).")
    Path harmful;

    @Option(names = "--benign", paramLabel = "FILE", description = "JSONL of benign prompts (with --harmful, instead of --data).")
    Path benign;

    @Option(names = "--responses", defaultValue = "refusal", paramLabel = "SOURCE",
            description = "Responses differentiated: refusal (the safety-SFT target: each record's refusal, else its response), dataset (its response) or generated (the model's greedy answer). Default: ${DEFAULT-VALUE}.")
    String responses;

    @Option(names = "--positions", defaultValue = "1-40", paramLabel = "LIST", description = "Response positions, e.g. 1-40 or 1,2,5,10-20 (default: ${DEFAULT-VALUE}).")
    String positions;

    @Option(names = "--stride", defaultValue = "1", paramLabel = "S", description = "Keep every S-th of the positions (large models; default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--limit", defaultValue = "30", paramLabel = "N", description = "Prompts per split (default: ${DEFAULT-VALUE}); each costs one backward per position.")
    int limit;

    @Option(names = "--batch-size", defaultValue = "0", paramLabel = "N", description = "Generation batch size for --responses generated; 0 (default) sizes it automatically.")
    int batchSize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for gradients.json, .csv and .png.")
    Path out;

    @Override
    public Integer call() {
        GradientByPosition.Config cfg = new GradientByPosition.Config(Positions.parse(positions, stride));
        Splits splits = AnalyzePairOptions.splits(data, harmful, benign, model.model == null, limit, Organisms::defaultOrganism);
        try (NDManager m = NDManager.newBaseManager();
                LanguageModel lm = model.load(m)) {
            List<Responses.Scored> h = scored(lm, splits.harmful(), splits.harmfulSource(), cfg.maxPosition());
            List<Responses.Scored> b = scored(lm, splits.benign(), splits.benignSource(), cfg.maxPosition());
            GradientByPosition.Result r = GradientByPosition.run(lm.transformer(), h, b, cfg);
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("model", lm.dir().toString());
            inputs.put("harmful_data", splits.harmfulSource());
            inputs.put("benign_data", splits.benignSource());
            inputs.put("responses", responses);
            inputs.put("limit", limit);
            inputs.put("stride", stride);
            inputs.put("dtype", model.dtype);
            inputs.put("versions", Versions.all());
            AnalyzeKlCommand.print(spec, AnalysisReport.gradients(r, inputs, out, "gradients"));
        }
        return 0;
    }

    private List<Responses.Scored> scored(LanguageModel lm, List<Example> examples, String source, int maxPosition) {
        return switch (responses.trim().toLowerCase(Locale.ROOT)) {
            case "refusal" -> Responses.fromDataset(lm, examples, Responses.Source.REFUSAL, maxPosition, source);
            case "dataset" -> Responses.fromDataset(lm, examples, Responses.Source.DATASET, maxPosition, source);
            case "generated" -> Responses.generated(lm, examples, maxPosition, batchSize, "model");
            default -> throw new DeepalignException("unknown --responses " + responses + "; use refusal, dataset or generated.");
        };
    }
}
