package deepalign.model;

import ai.djl.ndarray.NDArray;

/** Rotary position embeddings in HF's rotate-half layout, with optional llama3 frequency scaling. */
public final class Rope {
    private Rope() {}

    /** inv_freq_i = theta^(-2i/d) for i < d/2, rescaled per Llama 3.1 when config.json asks for it. */
    public static float[] inverseFrequencies(ModelConfig config) {
        int d = config.headDim();
        double[] inv = new double[d / 2];
        for (int i = 0; i < d / 2; i++) inv[i] = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / d);
        ModelConfig.RopeScaling rs = config.ropeScaling();
        if (rs != null) inv = llama3(inv, rs);
        float[] out = new float[inv.length];
        for (int i = 0; i < inv.length; i++) out[i] = (float) inv[i];
        return out;
    }

    /**
     * Llama 3.1 scaling: long wavelengths (low frequencies) are divided by {@code factor}, short ones
     * kept, and the band between is interpolated smoothly (HF _compute_llama3_parameters).
     */
    static double[] llama3(double[] inv, ModelConfig.RopeScaling rs) {
        double oldLen = rs.originalMaxPositionEmbeddings();
        double lowWavelen = oldLen / rs.lowFreqFactor();
        double highWavelen = oldLen / rs.highFreqFactor();
        double[] out = new double[inv.length];
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen < highWavelen) {
                out[i] = inv[i];
            } else if (wavelen > lowWavelen) {
                out[i] = inv[i] / rs.factor();
            } else {
                double smooth = (oldLen / wavelen - rs.lowFreqFactor()) / (rs.highFreqFactor() - rs.lowFreqFactor());
                out[i] = (1 - smooth) * inv[i] / rs.factor() + smooth * inv[i];
            }
        }
        return out;
    }

    /** x * cos + rotate_half(x) * sin, where rotate_half(x) = [-x2, x1] over the two halves of the head. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long d = x.getShape().getLastDimension();
        NDArray x1 = x.get("..., :" + d / 2);
        NDArray x2 = x.get("..., " + d / 2 + ":");
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
