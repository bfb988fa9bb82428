package deepalign.model;

import ai.djl.ndarray.NDArray;

/**
 * Rewrites next-token logits [B, V] before sampling (plausibility masks, banned tokens, ...). Features
 * plug in here instead of touching the generation loop.
 */
@FunctionalInterface
public interface LogitsProcessor {
    NDArray process(NDArray logits, int step);
}
