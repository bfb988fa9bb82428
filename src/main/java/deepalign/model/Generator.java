package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Batched autoregressive generation over any {@link StepModel}: prompts are left-padded, every row
 * stops on an eos id, a stop string or the token budget, and finished rows are fed padding until the
 * whole batch is done.
 */
public final class Generator {
    /** One finished sequence: the new tokens (eos excluded) and why it stopped. */
    public record Generation(int[] tokens, String finishReason) {}

    private final Supplier<StepModel> models;
    private final Set<Integer> eosIds;
    private final int padId;
    private final Function<int[], String> decoder;
    private final List<LogitsProcessor> processors = new ArrayList<>();

    /**
     * @param models  makes a fresh step model (empty caches) for each batch
     * @param eosIds  ids that end a sequence
     * @param padId   id fed to finished rows and used for left padding
     * @param decoder turns generated ids into text, for stop strings (may be null when none are used)
     */
    public Generator(Supplier<StepModel> models, Set<Integer> eosIds, int padId, Function<int[], String> decoder) {
        this.models = models;
        this.eosIds = Set.copyOf(eosIds);
        this.padId = padId;
        this.decoder = decoder;
    }

    public Generator addProcessor(LogitsProcessor p) {
        processors.add(p);
        return this;
    }

    /**
     * Generates for every prompt, {@code cfg.batchSize()} at a time; the batches run on the {@link Workers}.
     * The batching does not depend on the worker count, so neither do the tokens.
     */
    public List<Generation> generate(List<int[]> prompts, GenerationConfig cfg) {
        List<Callable<List<Generation>>> batches = new ArrayList<>();
        for (int start = 0; start < prompts.size(); start += cfg.batchSize()) {
            int first = start;
            List<int[]> batch = prompts.subList(start, Math.min(prompts.size(), start + cfg.batchSize()));
            batches.add(() -> generateBatch(batch, first, cfg));
        }
        List<Generation> out = new ArrayList<>(prompts.size());
        for (List<Generation> b : Workers.map(batches)) out.addAll(b);
        return out;
    }

    private List<Generation> generateBatch(List<int[]> prompts, int firstIndex, GenerationConfig cfg) {
        int b = prompts.size();
        int maxLen = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        if (maxLen == 0) throw new IllegalArgumentException("cannot generate from an empty prompt");
        long[] ids = new long[b * maxLen];
        float[] maskRows = new float[b * maxLen];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            int[] p = prompts.get(r);
            int off = r * maxLen + (maxLen - p.length);
            for (int i = 0; i < p.length; i++) {
                ids[off + i] = p[i];
                maskRows[off + i] = 1f;
            }
        }
        SplittableRandom[] rngs = new SplittableRandom[b];
        for (int r = 0; r < b; r++) rngs[r] = new SplittableRandom(cfg.seed() * 1_000_003L + firstIndex + r);
        List<List<Integer>> generated = new ArrayList<>();
        for (int r = 0; r < b; r++) generated.add(new ArrayList<>());
        String[] reasons = new String[b];

        try (StepModel model = models.get();
                NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(maskRows, new Shape(b, maxLen));
            NDArray logits = model.prefill(m.create(ids, new Shape(b, maxLen)), mask);
            for (int step = 0; step < cfg.maxNewTokens(); step++) {
                for (LogitsProcessor p : processors) {
                    NDArray next = p.process(logits, step);
                    if (next != logits) logits.close();
                    logits = next;
                }
                float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
                logits.close();
                int v = flat.length / b;
                long[] chosen = new long[b];
                boolean allDone = true;
                for (int r = 0; r < b; r++) {
                    if (reasons[r] != null) {
                        chosen[r] = padId;
                        continue;
                    }
                    int tok = Sampler.sample(Arrays.copyOfRange(flat, r * v, (r + 1) * v), cfg, rngs[r]);
                    chosen[r] = tok;
                    if (eosIds.contains(tok)) {
                        reasons[r] = "eos";
                    } else {
                        generated.get(r).add(tok);
                        if (hitStopString(generated.get(r), cfg)) reasons[r] = "stop";
                    }
                    if (reasons[r] == null) allDone = false;
                }
                if (allDone || step == cfg.maxNewTokens() - 1) break;
                NDArray ones = m.ones(new Shape(b, 1));
                NDArray grown = mask.concat(ones, 1);
                mask.close();
                ones.close();
                mask = grown;
                logits = model.step(m.create(chosen, new Shape(b, 1)), mask);
            }
        }
        List<Generation> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            int[] toks = generated.get(r).stream().mapToInt(Integer::intValue).toArray();
            out.add(new Generation(toks, reasons[r] == null ? "length" : reasons[r]));
        }
        return out;
    }

    private boolean hitStopString(List<Integer> tokens, GenerationConfig cfg) {
        if (cfg.stopStrings().isEmpty() || decoder == null) return false;
        String text = decoder.apply(tokens.stream().mapToInt(Integer::intValue).toArray());
        for (String s : cfg.stopStrings()) if (text.contains(s)) return true;
        return false;
    }
}
