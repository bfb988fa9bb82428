package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.decode.Defenses;
import deepalign.model.CachedStepModel;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.model.StepModel;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepalign generate}: one answer to one prompt, rendered with the model's chat template. A prefill is
 * tokenized on its own and placed at the start of the assistant turn (the prefilling attack, by hand).
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Answer one prompt with the model, rendered with its chat template.",
                "--prefill starts the assistant's answer with the given text (tokenized on its own, appended after the "
                + "prompt's tokens); the output is the prefill followed by the model's continuation.",
                "Greedy by default; --temperature > 0 samples, reproducibly for a given --seed."})
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The user message.")
    String prompt;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message placed before the user message.")
    String system;

    @Option(names = "--prefill", paramLabel = "TEXT", description = "Text the assistant's answer starts with; the model continues it.")
    String prefill;

    @Option(names = "--max-new-tokens", defaultValue = "128", paramLabel = "N", description = "Most tokens to generate after the prefill (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P", description = "Nucleus sampling: keep the smallest set of tokens with probability >= P; 1 keeps all (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Sample among the K most likely tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Random seed for sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "STR", arity = "1..*", description = "Stop when the continuation contains this text (repeatable).")
    List<String> stops;

    @Option(names = "--contrast-base", paramLabel = "DIR",
            description = "Contrastive decoding (the paper's Eq. 7): z = z_aligned + alpha (z_aligned - z_base) against this base model.")
    java.nio.file.Path contrastBase;

    @Option(names = "--alpha", defaultValue = "1.0", paramLabel = "A", description = "Contrastive strength alpha (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--plausibility-beta", paramLabel = "B",
            description = "Optional plausibility mask: keep tokens with p_aligned >= B * max p_aligned (off by default; 0.1 is usual).")
    Double beta;

    @Option(names = "--gate", paramLabel = "M",
            description = "With --contrast-base: contrast only where the base-favored mass is at least M, in [0, 1] (ours; off by default).")
    Double gate;

    @Override
    public Integer call() {
        if (contrastBase == null && gate != null) throw new DeepalignException("--gate only applies with --contrast-base.");
        GenerationConfig cfg = generationConfig();
        try (NDManager manager = NDManager.newBaseManager();
                LanguageModel lm = modelOptions.load(manager)) {
            int[] prefillIds = prefill == null ? new int[0] : lm.tokenizer().encode(prefill);
            int[] ids = lm.chat().encodeWithPrefill(system, prompt, prefillIds);
            Supplier<StepModel> steps = steps(lm);
            if (contrastBase != null) {
                LanguageModel base = LanguageModel.load(contrastBase, manager, modelOptions.dataType());
                steps = Defenses.contrastive(lm, base, alpha, beta, gate).steps();
            }
            Generator gen = new Generator(steps, lm.eosIds(), lm.padId(), lm::decode);
            Generator.Generation g = gen.generate(List.of(ids), cfg).get(0);
            int[] answer = new int[prefillIds.length + g.tokens().length];
            System.arraycopy(prefillIds, 0, answer, 0, prefillIds.length);
            System.arraycopy(g.tokens(), 0, answer, prefillIds.length, g.tokens().length);
            PrintWriter out = spec.commandLine().getOut();
            // Decoded together, so the join between prefill and continuation is spaced as the tokenizer spaces it.
            out.println(lm.decode(answer));
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("(" + g.tokens().length + " new tokens after " + prefillIds.length + " prefill tokens; stopped by " + g.finishReason() + ")");
            err.flush();
        }
        return 0;
    }

    /**
     * The step model generation runs on: the model with its KV cache. Decoding-time defenses (e.g. contrastive
     * decoding against a base model) replace it here.
     */
    Supplier<StepModel> steps(LanguageModel lm) {
        return () -> new CachedStepModel(lm.transformer());
    }

    private GenerationConfig generationConfig() {
        if (maxNewTokens < 0) throw new DeepalignException("--max-new-tokens must be 0 or more, not " + maxNewTokens + ".");
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new DeepalignException("--temperature must be 0 (greedy) or positive, not " + temperature + ".");
        if (!(topP > 0 && topP <= 1)) throw new DeepalignException("--top-p must be in (0, 1], not " + topP + ".");
        if (topK < 0) throw new DeepalignException("--top-k must be 0 (off) or positive, not " + topK + ".");
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stops == null ? List.of() : stops, 1);
    }
}
