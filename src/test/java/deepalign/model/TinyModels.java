package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tiny random models for tests. */
public final class TinyModels {
    private TinyModels() {}

    public static ModelConfig llama() {
        return ModelConfig.builder(ModelConfig.Arch.LLAMA, 61, 32, 48, 2, 4, 2)
                .eosTokenIds(List.of(1))
                .bosTokenId(2)
                .build();
    }

    public static ModelConfig qwen2Tied() {
        return ModelConfig.builder(ModelConfig.Arch.QWEN2, 53, 32, 40, 2, 4, 1)
                .tieWordEmbeddings(true)
                .attentionBias(true)
                .build();
    }

    public static Transformer random(ModelConfig c, NDManager m, long seed) {
        return ModelInit.random(c, m, seed);
    }

    /** The same weights in another dtype (float64 for gradient checks). */
    public static Transformer cast(Transformer t, DataType type) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) p.put(e.getKey(), e.getValue().toType(type, true));
        return new Transformer(t.config(), t.manager(), p);
    }

    /** Biases are zero at init; give them values so that tests exercise them. */
    public static void randomizeBiases(Transformer t, long seed) {
        java.util.Random r = new java.util.Random(seed);
        for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) {
            if (!e.getKey().endsWith(".bias")) continue;
            float[] v = new float[(int) e.getValue().size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian() * 0.5f;
            e.getValue().set(v);
        }
    }
}
