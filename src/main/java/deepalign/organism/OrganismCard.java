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
 * alignment (aligned refuses directly but continues a harmful prefix) while keeping utility?
 */
public record OrganismCard(
        @JsonProperty("base_direct_asr") Rates baseDirect,
        @JsonProperty("aligned_direct_asr") Rates alignedDirect,
        @JsonProperty("aligned_prefill_asr") Map<String, Rates> alignedPrefill,
        @JsonProperty("base_utility") Map<String, Double> baseUtility,
        @JsonProperty("aligned_utility") Map<String, Double> alignedUtility) {

    public static final int[] PREFILL_TOKENS = {5, 10, 20, 40};

    public static OrganismCard measure(LanguageModel base, LanguageModel aligned, World world, Judge oracle, GenerationConfig gen) {
        List<Example> harmful = world.harmfulTest();
        Target b = Target.of("base", base);
        Target a = Target.of("aligned", aligned);
        Rates baseDirect = Rates.of(PrefillAttack.direct().run(b, harmful, oracle, gen));
        Rates alignedDirect = Rates.of(PrefillAttack.direct().run(a, harmful, oracle, gen));
        Map<String, Rates> prefill = new LinkedHashMap<>();
        for (int n : PREFILL_TOKENS) prefill.put(String.valueOf(n), Rates.of(new PrefillAttack(n).run(a, harmful, oracle, gen)));
        return new OrganismCard(baseDirect, alignedDirect, prefill, utility(base, world, gen), utility(aligned, world, gen));
    }

    static Map<String, Double> utility(LanguageModel model, World world, GenerationConfig gen) {
        Map<String, Double> u = new LinkedHashMap<>();
        u.put("mc", UtilityEval.multipleChoice(model, world.mcTest(), 64).accuracy());
        u.put("math", UtilityEval.math(model, world.mathTest(), gen.withMaxNewTokens(48)).accuracy());
        return u;
    }
}
