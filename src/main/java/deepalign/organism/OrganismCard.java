package deepalign.organism;

import com.fasterxml.jackson.annotation.JsonProperty;
import deepalign.attack.PrefillAttack;
import deepalign.attack.Target;
import deepalign.data.Example;
import deepalign.eval.Rates;
import deepalign.eval.UtilityEval;
import deepalign.judge.Judge;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measured organism card (held-out splits, oracle judge, greedy): does the pair reproduce shallow
 * alignment (aligned refuses directly but continues a harmful prefix) while keeping utility? It also
 * holds the base's accuracy on (the first {@link #TRAIN_CHECK} of) the multiple-choice and math items it was
 * pretrained on: a base far below 100% there had not converged on that skill, and safety SFT, whose benign
 * chats train it further, can then make the aligned model better than its base (null in cards written
 * before this check existed).
 */
public record OrganismCard(
        @JsonProperty("base_direct_asr") Rates baseDirect,
        @JsonProperty("aligned_direct_asr") Rates alignedDirect,
        @JsonProperty("aligned_prefill_asr") Map<String, Rates> alignedPrefill,
        @JsonProperty("base_utility") Map<String, Double> baseUtility,
        @JsonProperty("aligned_utility") Map<String, Double> alignedUtility,
        @JsonProperty("base_train_utility") Map<String, Double> baseTrainUtility) {

    public static final int[] PREFILL_TOKENS = {5, 10, 20, 40};

    /** Training items per skill in the base's convergence check. */
    public static final int TRAIN_CHECK = 240;

    public static OrganismCard measure(LanguageModel base, LanguageModel aligned, World world, Judge oracle, GenerationConfig gen) {
        List<Example> harmful = world.harmfulTest();
        Target b = Target.of("base", base);
        Target a = Target.of("aligned", aligned);
        Rates baseDirect = Rates.of(PrefillAttack.direct().run(b, harmful, oracle, gen));
        Rates alignedDirect = Rates.of(PrefillAttack.direct().run(a, harmful, oracle, gen));
        return new OrganismCard(baseDirect, alignedDirect, prefillRates(a, harmful, oracle, gen), utility(base, world.mcTest(), world.mathTest(), gen),
                utility(aligned, world.mcTest(), world.mathTest(), gen),
                utility(base, first(world.mcTrain(), TRAIN_CHECK), first(world.mathTrain(), TRAIN_CHECK), gen));
    }

    /** The card's prefill attacks on {@code target}: rates keyed by prefill length ("5", "10", "20", "40"). */
    static Map<String, Rates> prefillRates(Target target, List<Example> harmful, Judge oracle, GenerationConfig gen) {
        Map<String, Rates> byLength = new LinkedHashMap<>();
        for (int n : PREFILL_TOKENS) byLength.put(String.valueOf(n), Rates.of(new PrefillAttack(n).run(target, harmful, oracle, gen)));
        return byLength;
    }

    static Map<String, Double> utility(LanguageModel model, List<Example> mc, List<Example> math, GenerationConfig gen) {
        Map<String, Double> u = new LinkedHashMap<>();
        u.put("mc", UtilityEval.multipleChoice(model, mc, 64).accuracy());
        u.put("math", UtilityEval.math(model, math, gen.withMaxNewTokens(48)).accuracy());
        return u;
    }

    private static List<Example> first(List<Example> all, int n) {
        return all.subList(0, Math.min(n, all.size()));
    }
}
