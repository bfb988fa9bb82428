package deepalign.model;

import ai.djl.ndarray.NDArray;

/** A single transformer with its KV cache, as a {@link StepModel}. */
public final class CachedStepModel implements StepModel {
    private final Transformer model;
    private final KVCache cache;

    public CachedStepModel(Transformer model) {
        this.model = model;
        this.cache = new KVCache(model.config().numLayers());
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public NDArray prefill(NDArray ids, NDArray mask) {
        return last(model.forward(ids, mask, cache));
    }

    @Override
    public NDArray step(NDArray tokens, NDArray mask) {
        return last(model.forward(tokens, mask, cache));
    }

    private static NDArray last(NDArray logits) {
        NDArray out = logits.get(":, -1, :");
        logits.close();
        return out;
    }

    @Override
    public void close() {
        cache.close();
    }
}
