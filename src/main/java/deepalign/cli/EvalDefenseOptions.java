package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.attack.Target;
import deepalign.decode.Defenses;
import deepalign.model.LanguageModel;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** --defense and its settings, shared by eval safety and eval utility. */
public final class EvalDefenseOptions {
    @Option(names = "--defense", defaultValue = "none", paramLabel = "NAME",
            description = "none (default) or contrastive: contrastive decoding against a base model (METHOD.md section 2).")
    String defense;

    @Option(names = "--contrast-base", paramLabel = "DIR",
            description = "Base model for --defense contrastive. Default: the organism's base model when --model is an organism's model.")
    Path contrastBase;

    @Option(names = "--alpha", defaultValue = "1.0", paramLabel = "A",
            description = "Contrast strength: z = z_A + alpha (z_A - z_B) (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", paramLabel = "B",
            description = "Plausibility mask: keep only tokens with p_A >= beta * max p_A (default: off; 0.1 is usual).")
    Double beta;

    @Option(names = "--gate", paramLabel = "M",
            description = {"Contrast only where the base-favored mass m^B_t (k 100, p_min 1e-4) is at least M, in [0, 1].",
                "Ours, not the paper's; default: off (contrast everywhere). Measured on the organism: docs/experiments.md, 'A gated contrast'."})
    Double gate;

    /** Validates the name before any model is loaded. */
    String name() {
        String d = defense.toLowerCase(Locale.ROOT);
        if (!d.equals("none") && !d.equals("contrastive")) {
            throw new DeepalignException("unknown --defense '" + defense + "'; choose none or contrastive.");
        }
        if (d.equals("none") && (contrastBase != null || beta != null || gate != null)) {
            throw new DeepalignException("--contrast-base, --beta and --gate only apply with --defense contrastive.");
        }
        return d;
    }

    /** The target to evaluate: the model itself, or contrastive decoding against the base (loaded into {@code manager}). */
    Target target(LanguageModel model, ModelOptions modelOpts, NDManager manager) {
        if (name().equals("none")) return Defenses.none(model);
        Path base = contrastBase;
        if (base == null) {
            Path organism = EvalSupport.organismOf(modelOpts);
            if (organism == null) {
                throw new DeepalignException("--defense contrastive needs --contrast-base DIR: " + modelOpts.modelDir()
                        + " is not inside an organism directory, so there is no default base model.");
            }
            base = organism.resolve("base");
        }
        LanguageModel baseModel = LanguageModel.load(base, manager, modelOpts.dataType());
        return Defenses.contrastive(model, baseModel, alpha, beta, gate);
    }
}
