package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random initialisation, seeded in Java so the same seed gives the same weights on every machine:
 * N(0, 0.02) for matrices (GPT-2's scaled init for the residual projections), ones for norms, zeros for biases.
 */
public final class ModelInit {
    private ModelInit() {}

    public static Transformer random(ModelConfig config, NDManager manager, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        double residualStd = 0.02 / Math.sqrt(2.0 * config.numLayers());
        for (String name : CheckpointFiles.expectedTensorNames(config)) {
            long[] shape = CheckpointFiles.expectedShape(config, name);
            int n = Math.toIntExact(new Shape(shape).size());
            float[] data = new float[n];
            if (name.endsWith("norm.weight")) {
                java.util.Arrays.fill(data, 1f);
            } else if (!name.endsWith(".bias")) {
                double std = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight") ? residualStd : 0.02;
                for (int i = 0; i < n; i++) data[i] = (float) (rng.nextGaussian() * std);
            }
            params.put(name, manager.create(data, new Shape(shape)).toType(DataType.FLOAT32, false));
        }
        return new Transformer(config, manager, params);
    }
}
