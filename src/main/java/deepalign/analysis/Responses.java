package deepalign.analysis;

import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The responses a diagnostic scores: the dataset's own, or greedy generations of one model.
 *
 * <p>A scored sequence is the chat prompt (user turn, no system prompt, open assistant turn) followed
 * by the response tokens. The end-of-turn token is part of the response when the answer ends there: always for
 * dataset responses (the chat template closes the turn with it) and for generations that stopped
 * on eos, not for generations cut off by the token budget. The stop decision is where an aligned
 * model often differs most from its base, so it is scored like any other token. Responses are
 * truncated to {@code maxPositions} tokens.
 */
public final class Responses {
    /** Where the responses come from. */
    public enum Source {
        /** The example's own {@code response} field. */
        DATASET,
        /** The example's {@code refusal} where it has one, else its response (the safety-SFT target). */
        REFUSAL,
        /** Greedy generations of the aligned model (or of the single model being analysed). */
        ALIGNED,
        /** Greedy generations of the base model. */
        BASE;

        public static Source parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new DeepalignException("unknown --responses " + s + "; use dataset, aligned or base.");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A prompt and the response tokens scored after it; position t is {@code response[t - 1]}. */
    public record Scored(Example example, int[] prompt, int[] response) {
        public int[] ids() {
            int[] ids = new int[prompt.length + response.length];
            System.arraycopy(prompt, 0, ids, 0, prompt.length);
            System.arraycopy(response, 0, ids, prompt.length, response.length);
            return ids;
        }
    }

    private Responses() {}

    /** Responses for a pair: dataset text, or greedy generations of the aligned or base model. */
    public static List<Scored> forPair(ModelPair pair, List<Example> examples, Source source, int maxPositions,
                                       int batchSize, String dataLabel) {
        return switch (source) {
            case DATASET, REFUSAL -> fromDataset(pair.aligned(), examples, source, maxPositions, dataLabel);
            case ALIGNED -> generated(pair.aligned(), examples, maxPositions, batchSize, "aligned");
            case BASE -> generated(pair.base(), examples, maxPositions, batchSize, "base");
        };
    }

    /** The dataset's response (or refusal) text, tokenized on its own and closed with end-of-turn. */
    public static List<Scored> fromDataset(LanguageModel model, List<Example> examples, Source source, int maxPositions,
                                           String dataLabel) {
        int eos = eosId(model);
        List<Scored> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            String text = source == Source.REFUSAL && e.refusal() != null ? e.refusal() : e.response();
            if (text == null) {
                throw new DeepalignException(dataLabel + ": example " + e.id()
                        + " has no response; use --responses aligned or base to generate one.");
            }
            int[] resp = model.tokenizer().encode(text.strip());
            int[] withEos = java.util.Arrays.copyOf(resp, resp.length + 1);
            withEos[resp.length] = eos;
            out.add(new Scored(e, prompt(model, e), truncate(withEos, maxPositions)));
        }
        return out;
    }

    /**
     * Greedy generations of {@code model} with at most {@code maxPositions} new tokens. {@code batchSize <= 0}
     * sizes batches automatically (the prefill's [B, prompt, V] logits within the same budget as scoring).
     */
    public static List<Scored> generated(LanguageModel model, List<Example> examples, int maxPositions, int batchSize,
                                         String label) {
        int eos = eosId(model);
        List<int[]> prompts = new ArrayList<>(examples.size());
        for (Example e : examples) prompts.add(prompt(model, e));
        if (batchSize <= 0) {
            int longest = prompts.stream().mapToInt(p -> p.length + maxPositions).max().orElse(1);
            batchSize = PairLogits.autoBatch(longest, model.config().vocabSize());
        }
        GenerationConfig cfg = GenerationConfig.greedy(maxPositions).withBatchSize(batchSize);
        Generator gen = model.generator();
        List<Scored> out = new ArrayList<>(examples.size());
        try (Progress bar = Progress.start("generate (" + label + ")", examples.size())) {
            for (int start = 0; start < prompts.size(); start += batchSize) {
                int end = Math.min(prompts.size(), start + batchSize);
                List<Generator.Generation> g = gen.generate(prompts.subList(start, end), cfg);
                for (int i = 0; i < g.size(); i++) {
                    int[] toks = g.get(i).tokens();
                    if ("eos".equals(g.get(i).finishReason())) {
                        toks = java.util.Arrays.copyOf(toks, toks.length + 1);
                        toks[toks.length - 1] = eos;
                    }
                    out.add(new Scored(examples.get(start + i), prompts.get(start + i), truncate(toks, maxPositions)));
                }
                bar.stepBy(end - start);
            }
        }
        return out;
    }

    public static int[] prompt(LanguageModel model, Example e) {
        return model.chat().encodePrompt(null, e.prompt());
    }

    /** The chat's end-of-turn id (eos_token), else the first eos id of the model. */
    static int eosId(LanguageModel model) {
        return model.chat().eosId().orElseGet(() -> model.eosIds().iterator().next());
    }

    private static int[] truncate(int[] ids, int max) {
        return ids.length <= max ? ids : java.util.Arrays.copyOf(ids, max);
    }
}
