package deepalign.bench;

import deepalign.model.ModelConfig;

/**
 * Floating-point operations of the decoder, counted the usual way (Kaplan et al. 2020, with both attention
 * matmuls counted): a multiply-add is 2 FLOPs, every weight matrix is used once per token, and attention
 * multiplies each query with T_ctx keys (scores) and T_ctx values (weighted sum). Norms, softmax, RoPE and
 * the embedding lookup are left out; they are a few FLOPs per activation, not per weight.
 */
public final class Flops {
    /** The formulas, as they are written into every benchmark JSON. */
    public static final String FORWARD = "forward FLOPs per token = 2 * (non-embedding parameters + lm head parameters)"
            + " + 4 * layers * T_ctx * (heads * head_dim); T_ctx = keys each query attends over, counted in full"
            + " (the causal mask hides half of them but the dense kernels compute them all)";
    public static final String TRAIN = "train FLOPs per token = 3 * forward (the backward pass costs twice the forward)";
    public static final String COMPLETION = "completion FLOPs per step = train (student forward + backward)"
            + " + teachers * forward when the teacher is recomputed every step (teachers = 2: base and aligned);"
            + " teacher-cache FLOPs = teachers * forward, paid once per training set instead of once per step";
    public static final String GENERATE = "generate FLOPs = prefill (prompt tokens, T_ctx = prompt length) + one forward"
            + " per later token with T_ctx = tokens in the KV cache";

    private Flops() {}

    /** Parameters outside the token embedding table (the lm head too, when untied). */
    public static long nonEmbeddingParameters(ModelConfig c) {
        long table = (long) c.vocabSize() * c.hiddenSize();
        return c.parameterCount() - table - (c.tieWordEmbeddings() ? 0 : table);
    }

    /** Forward FLOPs for one token that attends over {@code ctx} keys. */
    public static double forwardPerToken(ModelConfig c, long ctx) {
        long lmHead = (long) c.vocabSize() * c.hiddenSize();
        return 2.0 * (nonEmbeddingParameters(c) + lmHead) + 4.0 * c.numLayers() * ctx * c.qDim();
    }

    /** A full forward over {@code batch} sequences of {@code seq} tokens, no cache. */
    public static double forward(ModelConfig c, int batch, int seq) {
        return (double) batch * seq * forwardPerToken(c, seq);
    }

    public static double train(ModelConfig c, int batch, int seq) {
        return 3 * forward(c, batch, seq);
    }

    /**
     * A completion-training step: the student's training step plus, when the teacher is not cached,
     * one forward of each of {@code teacherForwards} frozen teacher models over the same tokens.
     */
    public static double completion(ModelConfig c, int batch, int seq, int teacherForwards) {
        return train(c, batch, seq) + teacherForwards * forward(c, batch, seq);
    }

    /**
     * Greedy generation of {@code newTokens} after a {@code prompt}-token prefill: the prefill yields the first
     * token, each of the other {@code newTokens - 1} is one cached forward step over prompt + i keys.
     */
    public static double generate(ModelConfig c, int batch, int prompt, int newTokens) {
        double total = forward(c, batch, prompt);
        for (int i = 1; i < newTokens; i++) total += batch * forwardPerToken(c, prompt + i);
        return total;
    }
}
