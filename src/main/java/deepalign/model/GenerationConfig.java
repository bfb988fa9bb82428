package deepalign.model;

import java.util.List;

/**
 * Decoding settings. temperature 0 means greedy; topK 0 and topP 1 disable those filters. Each sequence
 * draws from its own generator seeded by (seed, index in the request), so a sequence's sample does not
 * depend on what else is in its batch.
 */
public record GenerationConfig(
        int maxNewTokens, double temperature, int topK, double topP, long seed, List<String> stopStrings, int batchSize) {

    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0");
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0");
        if (topP <= 0 || topP > 1) throw new IllegalArgumentException("top-p must be in (0, 1]");
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0");
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive");
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 0, List.of(), 32);
    }

    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }

    public GenerationConfig withSampling(double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopStrings, batchSize);
    }

    public GenerationConfig withBatchSize(int batchSize) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopStrings, batchSize);
    }

    public GenerationConfig withStopStrings(List<String> stops) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stops, batchSize);
    }

    public GenerationConfig withMaxNewTokens(int n) {
        return new GenerationConfig(n, temperature, topK, topP, seed, stopStrings, batchSize);
    }
}
