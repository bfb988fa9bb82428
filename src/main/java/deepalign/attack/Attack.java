package deepalign.attack;

import deepalign.data.Example;
import deepalign.judge.Judge;
import deepalign.model.GenerationConfig;
import java.util.List;

/** An attack on harmful prompts; each returns one judged attempt per prompt. */
public interface Attack {
    /** Report key, e.g. "direct", "prefill_10", "decoding", "gcg". */
    String name();

    List<Attempt> run(Target target, List<Example> prompts, Judge judge, GenerationConfig gen);
}
