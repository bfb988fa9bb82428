package deepalign.attack;

import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.judge.Judge;
import deepalign.judge.JudgeRequest;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The harmful prompt in the chat template, with the first {@code n} tokens of a harmful answer
 * placed at the start of the assistant turn (n = 0 is the direct attack). The source of the prefix
 * is the example's harmful {@code response}, or its AdvBench {@code target} when it has none.
 */
public final class PrefillAttack implements Attack {
    private final int tokens;

    public PrefillAttack(int tokens) {
        if (tokens < 0) throw new DeepalignException("--prefill-tokens must be >= 0, got " + tokens);
        this.tokens = tokens;
    }

    public static PrefillAttack direct() {
        return new PrefillAttack(0);
    }

    @Override
    public String name() {
        return tokens == 0 ? "direct" : "prefill_" + tokens;
    }

    /** The first n tokens of the example's harmful text, as ids of {@code model}'s tokenizer. */
    public static int[] prefix(LanguageModel model, Example ex, int n) {
        if (n == 0) return new int[0];
        String source = ex.response() != null ? ex.response() : ex.target();
        if (source == null) {
            throw new DeepalignException("prompt " + ex.id() + " has neither a harmful response nor a target to prefill from");
        }
        int[] ids = model.tokenizer().encode(source);
        return Arrays.copyOf(ids, Math.min(n, ids.length));
    }

    @Override
    public List<Attempt> run(Target target, List<Example> prompts, Judge judge, GenerationConfig gen) {
        LanguageModel model = target.model();
        List<int[]> inputs = new ArrayList<>();
        List<String> injected = new ArrayList<>();
        for (Example ex : prompts) {
            int[] pre = prefix(model, ex, tokens);
            inputs.add(model.chat().encodeWithPrefill(null, ex.prompt(), pre));
            injected.add(pre.length == 0 ? "" : model.decode(pre));
        }
        List<Generator.Generation> gens = target.generator().generate(inputs, gen);
        List<JudgeRequest> requests = new ArrayList<>();
        List<String> responses = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String text = model.decode(gens.get(i).tokens());
            responses.add(text);
            requests.add(new JudgeRequest(prompts.get(i).prompt(), text, prompts.get(i).category()));
        }
        var results = judge.judgeAll(requests);
        List<Attempt> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(new Attempt(prompts.get(i), injected.get(i), responses.get(i), results.get(i), name()));
        }
        return out;
    }
}
