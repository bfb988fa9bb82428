package deepalign.model;

import ai.djl.ndarray.NDArray;

/**
 * Something that produces next-token logits one step at a time, keeping its own KV cache(s): a single
 * model, or a contrastive pair run in lock-step. The generation loop only ever talks to this.
 */
public interface StepModel extends AutoCloseable {
    int vocabSize();

    /**
     * Runs the left-padded prompt batch and returns the logits of its last position.
     *
     * @param ids  [B, T] int64
     * @param mask [B, T] float32, 1 for real tokens
     * @return [B, V] float32
     */
    NDArray prefill(NDArray ids, NDArray mask);

    /**
     * Appends one token per row and returns the next logits.
     *
     * @param tokens [B, 1] int64
     * @param mask   [B, S] float32 over every slot so far, the new one included
     * @return [B, V] float32
     */
    NDArray step(NDArray tokens, NDArray mask);

    @Override
    void close();
}
