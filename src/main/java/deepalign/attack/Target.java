package deepalign.attack;

import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.model.StepModel;
import java.util.function.Supplier;

/**
 * What an attack is run against: a model (its tokenizer and chat template frame the prompts) and the
 * step model that produces its next-token logits, which a defense such as contrastive decoding replaces.
 *
 * @param name    label for reports ("aligned", "aligned+contrastive", ...)
 * @param model   the attacked model
 * @param steps   fresh step models (own KV caches) for each generation batch
 */
public record Target(String name, LanguageModel model, Supplier<StepModel> steps) {
    public static Target of(String name, LanguageModel model) {
        return new Target(name, model, () -> new deepalign.model.CachedStepModel(model.transformer()));
    }

    public Generator generator() {
        return new Generator(steps, model.eosIds(), model.padId(), model::decode);
    }
}
