package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.attack.Attack;
import deepalign.attack.Attempt;
import deepalign.attack.DecodingExploitAttack;
import deepalign.attack.PrefillAttack;
import deepalign.attack.Target;
import deepalign.data.Example;
import deepalign.eval.Rates;
import deepalign.eval.SafetyResult;
import deepalign.judge.Judge;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.report.JsonOut;
import deepalign.report.Table;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepalign eval safety}: runs an attack on harmful prompts against a model (optionally behind a
 * defense), judges every answer and writes the attack success rate with its refusal and other rates.
 */
@Command(name = "safety", mixinStandardHelpOptions = true,
        description = "Attack a model with harmful prompts and report the attack success rate (ASR).")
public final class EvalSafetyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    EvalJudgeOptions judge = new EvalJudgeOptions();

    @Mixin
    EvalDefenseOptions defense = new EvalDefenseOptions();

    @Option(names = "--data", paramLabel = "FILE.jsonl",
            description = "Harmful prompts (deepalign JSONL: prompt, category, response or target). Default: the organism's harmful_test.jsonl.")
    Path data;

    @Option(names = "--attack", defaultValue = "direct", paramLabel = "NAME",
            description = "direct (default), prefill (first N tokens of the harmful answer placed in the assistant turn), decoding (sampling sweep) or gcg (adversarial suffix, organism preset).")
    String attack;

    @Option(names = "--prefill-tokens", defaultValue = "10", paramLabel = "N", description = "Prefill length for --attack prefill (default: ${DEFAULT-VALUE}).")
    int prefillTokens;

    @Option(names = "--samples", defaultValue = "1", paramLabel = "N", description = "Draws per setting for --attack decoding (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--temperatures", split = ",", paramLabel = "T", description = "Temperature sweep for --attack decoding (default: 0.1,0.4,0.7,1.0).")
    List<Double> temperatures;

    @Option(names = "--top-ps", split = ",", paramLabel = "P", description = "Top-p sweep for --attack decoding (default: 0.1,0.4,0.7,1.0).")
    List<Double> topPs;

    @Option(names = "--top-ks", split = ",", paramLabel = "K", description = "Top-k sweep for --attack decoding (default: 1,10,100,500).")
    List<Integer> topKs;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Where to write the summary and per-prompt records.")
    Path out;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N prompts.")
    Integer limit;

    @Option(names = "--max-new-tokens", defaultValue = "96", paramLabel = "N", description = "Answer length budget (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Prompts generated together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampling seed, for --attack decoding (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Attacks by --attack name, built from this command's options; a new attack is one more entry. */
    private static final Map<String, Function<EvalSafetyCommand, Attack>> ATTACKS = new LinkedHashMap<>();

    static {
        ATTACKS.put("direct", c -> PrefillAttack.direct());
        ATTACKS.put("prefill", c -> {
            if (c.prefillTokens < 1) throw new DeepalignException("--attack prefill needs --prefill-tokens of at least 1, got " + c.prefillTokens + ".");
            return new PrefillAttack(c.prefillTokens);
        });
        ATTACKS.put("decoding", c -> new DecodingExploitAttack(c.grid(), c.samples));
        ATTACKS.put("gcg", c -> deepalign.attack.GcgAttack.defaults()); // organism preset; `attack gcg` exposes every knob
    }

    Attack createAttack() {
        Function<EvalSafetyCommand, Attack> factory = ATTACKS.get(attack.toLowerCase(Locale.ROOT));
        if (factory == null) {
            throw new DeepalignException("unknown --attack '" + attack + "'; choose " + String.join(", ", ATTACKS.keySet()) + ".");
        }
        return factory.apply(this);
    }

    @Override
    public Integer call() {
        EvalSupport.checkPositive("--batch", batch);
        if (maxNewTokens < 1) throw new DeepalignException("--max-new-tokens must be at least 1, got " + maxNewTokens + ".");
        Attack att = createAttack();
        judge.name(); // validates the judge options before any model is loaded
        String defenseName = defense.name();
        Path dataFile = EvalSupport.dataFile(data, model, "harmful_test");
        List<Example> prompts = EvalSupport.readExamples(dataFile, limit);
        if (att.name().startsWith("prefill")) {
            for (Example ex : prompts) {
                if (ex.response() == null && ex.target() == null) {
                    throw new DeepalignException(dataFile + ": prompt " + ex.id() + " has neither a 'response' nor a 'target' to prefill from.");
                }
            }
        }
        Judge j = judge.create(EvalSupport.organismOf(model), model.modelDir(), out);
        GenerationConfig gen = new GenerationConfig(maxNewTokens, 0, 0, 1, seed, List.of(), batch);

        List<Attempt> attempts;
        String modelLabel = model.modelDir().toString();
        String defenseLabel;
        try (NDManager manager = NDManager.newBaseManager();
                LanguageModel lm = model.load(manager)) {
            Target target = defense.target(lm, model, manager);
            defenseLabel = defenseName.equals("none") ? "none" : target.name();
            attempts = att.run(target, prompts, j, gen);
        }
        SafetyResult result = SafetyResult.of(modelLabel, att.name(), j.name(), defenseLabel, attempts);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", result.model());
        doc.put("attack", result.attack());
        doc.put("judge", result.judge());
        doc.put("defense", result.defense());
        doc.put("data", dataFile.toString());
        doc.put("max_new_tokens", maxNewTokens);
        doc.put("seed", seed);
        doc.put("summary", result.summary());
        doc.put("records", result.records());
        JsonOut.writeAtomic(out, doc);

        Rates r = result.summary();
        Table t = Table.of("attack", "defense", "judge", "n", "ASR [95% CI]", "refusal", "other").title("eval safety: " + modelLabel + " -> " + out);
        t.row(result.attack(), result.defense(), result.judge(), r.n(), Table.rateCi(r.asr(), r.ci95()[0], r.ci95()[1]),
                Table.pct(r.refusalRate()), Table.pct(r.otherRate()));
        EvalSupport.print(spec, t.render());
        return 0;
    }

    private DecodingExploitAttack.Grid grid() {
        DecodingExploitAttack.Grid d = DecodingExploitAttack.Grid.defaults();
        return new DecodingExploitAttack.Grid(temperatures != null ? temperatures : d.temperatures(),
                topPs != null ? topPs : d.topPs(), topKs != null ? topKs : d.topKs());
    }
}
