package deepalign.train;

/**
 * A token sequence for training: {@code weights[i]} is the loss weight of predicting {@code ids[i]}
 * from {@code ids[<i]} (0 for prompt tokens, 1 for response tokens); {@code weights[0]} is ignored.
 */
public record Sequence(int[] ids, float[] weights) {
    public Sequence {
        if (ids.length != weights.length) throw new IllegalArgumentException("ids and weights differ in length");
        if (ids.length < 2) throw new IllegalArgumentException("a training sequence needs at least two tokens");
    }

    /** Prompt tokens get weight 0, response tokens weight 1. */
    public static Sequence promptResponse(int[] prompt, int[] response) {
        int[] ids = new int[prompt.length + response.length];
        float[] w = new float[ids.length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(response, 0, ids, prompt.length, response.length);
        for (int i = prompt.length; i < ids.length; i++) w[i] = 1f;
        return new Sequence(ids, w);
    }

    /**
     * The prompt and the first {@code n} tokens of {@code prefix} as context (weight 0), then {@code target}
     * (weight 1): a continuation trained after a forced prefix, as in refusal-after-harmful-prefix data.
     */
    public static Sequence afterPrefix(int[] prompt, int[] prefix, int n, int[] target) {
        int[] context = java.util.Arrays.copyOf(prompt, prompt.length + n);
        System.arraycopy(prefix, 0, context, prompt.length, n);
        return promptResponse(context, target);
    }

    /** Every token but the first is a target (plain language modelling). */
    public static Sequence allTokens(int[] ids) {
        float[] w = new float[ids.length];
        for (int i = 1; i < ids.length; i++) w[i] = 1f;
        return new Sequence(ids, w);
    }

    /** Sum of the loss weights of the predicted tokens (every weight but the first). */
    public double lossWeight() {
        double w = 0;
        for (int i = 1; i < weights.length; i++) w += weights[i];
        return w;
    }

    public int responseTokens() {
        int n = 0;
        for (int i = 1; i < weights.length; i++) if (weights[i] > 0) n++;
        return n;
    }
}
