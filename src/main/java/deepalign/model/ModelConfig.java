package deepalign.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The parts of a Hugging Face {@code config.json} that fix the shapes and maths of a Llama-family
 * decoder (Llama, Qwen2, Mistral all share modeling_llama.py's structure).
 *
 * <p>Attention bias follows transformers: Qwen2 has q/k/v biases (no o_proj bias); Llama's
 * {@code attention_bias} adds biases to q, k, v <em>and</em> o_proj; Mistral has none.
 */
public record ModelConfig(
        Arch architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype,
        Integer slidingWindow) {

    /** The version string written into saved configs; transformers only uses it for warnings. */
    public static final String TRANSFORMERS_VERSION = "4.46.0";

    public enum Arch {
        LLAMA("LlamaForCausalLM", "llama", 2048),
        QWEN2("Qwen2ForCausalLM", "qwen2", 32768),
        MISTRAL("MistralForCausalLM", "mistral", 4096 * 32);

        private final String hfName;
        private final String modelType;
        private final int defaultMaxPositions; // transformers' config-class default

        Arch(String hfName, String modelType, int defaultMaxPositions) {
            this.hfName = hfName;
            this.modelType = modelType;
            this.defaultMaxPositions = defaultMaxPositions;
        }

        public String hfName() {
            return hfName;
        }

        public String modelType() {
            return modelType;
        }
    }

    /** Llama 3.1-style RoPE frequency scaling ({@code rope_type: "llama3"}), the only kind deepalign supports. */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
        public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor,
                                         int originalMaxPositionEmbeddings) {
            return new RopeScaling("llama3", factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings);
        }
    }

    /** Thrown by the constructor; {@link #load} re-words it to name the file. */
    private static final class Invalid extends DeepalignException {
        final String problem;

        Invalid(String problem) {
            super("invalid model config: " + problem + ".");
            this.problem = problem;
        }
    }

    public ModelConfig {
        Objects.requireNonNull(architecture, "architecture");
        eosTokenIds = List.copyOf(eosTokenIds == null ? List.of() : eosTokenIds);
        torchDtype = torchDtype == null ? "float32" : torchDtype;
        if (slidingWindow != null && slidingWindow < 1) {
            throw new Invalid("sliding_window must be at least 1, got " + slidingWindow);
        }
        String problem = problem(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads,
                numKvHeads, headDim, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, attentionBias);
        if (problem != null) {
            throw new Invalid(problem);
        }
    }

    private static String problem(Arch arch, int vocab, int hidden, int inter, int layers, int heads, int kvHeads,
                                  int headDim, double eps, double theta, RopeScaling rs, int maxPos, boolean bias) {
        int[] sizes = {vocab, hidden, inter, layers, heads, kvHeads, headDim, maxPos};
        String[] names = {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                "num_attention_heads", "num_key_value_heads", "head_dim", "max_position_embeddings"};
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] <= 0) {
                return names[i] + " must be positive but is " + sizes[i];
            }
        }
        if (heads % kvHeads != 0) {
            return "num_key_value_heads (" + kvHeads + ") must divide num_attention_heads (" + heads + ")";
        }
        if (headDim % 2 != 0) {
            return "head_dim (" + headDim + ") must be even for rotary embeddings";
        }
        if (!(eps > 0) || !(theta > 0)) {
            return "rms_norm_eps (" + eps + ") and rope_theta (" + theta + ") must be positive";
        }
        if (rs != null && !(rs.factor() > 0 && rs.lowFreqFactor() > 0 && rs.highFreqFactor() > rs.lowFreqFactor()
                && rs.originalMaxPositionEmbeddings() > 0)) {
            return "rope_scaling needs factor > 0, 0 < low_freq_factor < high_freq_factor and a positive "
                    + "original_max_position_embeddings, but is " + rs;
        }
        if (bias && arch == Arch.MISTRAL) {
            return "MistralForCausalLM has no attention bias";
        }
        return null;
    }

    // --- factories for tests and for building models in code ---

    public static ModelConfig of(Arch arch, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                                 int numHeads, int numKvHeads) {
        return builder(arch, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads).build();
    }

    /** Starts from transformers' defaults (head_dim = hidden / heads, eps 1e-6, theta 10000, untied). */
    public static Builder builder(Arch arch, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                                  int numHeads, int numKvHeads) {
        return new Builder(arch, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads);
    }

    public static final class Builder {
        private final Arch arch;
        private final int vocab, hidden, inter, layers, heads, kvHeads;
        private Integer headDim;
        private double eps = 1e-6, theta = 10000;
        private RopeScaling ropeScaling;
        private Integer maxPos;
        private boolean tied;
        private Boolean bias;
        private Integer bos;
        private List<Integer> eos = List.of();
        private String dtype = "float32";
        private Integer window;

        private Builder(Arch arch, int vocab, int hidden, int inter, int layers, int heads, int kvHeads) {
            this.arch = arch;
            this.vocab = vocab;
            this.hidden = hidden;
            this.inter = inter;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
        }

        public Builder headDim(int v) { headDim = v; return this; }
        public Builder rmsNormEps(double v) { eps = v; return this; }
        public Builder ropeTheta(double v) { theta = v; return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPos = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tied = v; return this; }
        public Builder attentionBias(boolean v) { bias = v; return this; }
        public Builder bosTokenId(Integer v) { bos = v; return this; }
        public Builder eosTokenIds(List<Integer> v) { eos = v; return this; }
        public Builder torchDtype(String v) { dtype = v; return this; }
        /** Mistral's sliding window: a query attends to itself and the {@code v - 1} tokens before it; null = none. */
        public Builder slidingWindow(Integer v) { window = v; return this; }

        public ModelConfig build() {
            if (headDim == null && heads > 0 && hidden > 0 && hidden % heads != 0) {
                throw new Invalid("num_attention_heads (" + heads + ") must divide hidden_size (" + hidden
                        + ") when head_dim is not given");
            }
            return new ModelConfig(arch, vocab, hidden, inter, layers, heads, kvHeads,
                    headDim != null ? headDim : heads > 0 ? hidden / heads : 0, eps, theta, ropeScaling,
                    maxPos != null ? maxPos : arch.defaultMaxPositions, tied,
                    bias != null ? bias : arch == Arch.QWEN2, bos, eos, dtype, window);
        }
    }

    // --- derived sizes ---

    /** Width of the query projection output (heads * head_dim), which need not equal hidden_size. */
    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    public boolean hasQkvBias() {
        return attentionBias;
    }

    /** Only Llama's attention_bias also biases o_proj (transformers LlamaAttention). */
    public boolean hasOProjBias() {
        return attentionBias && architecture == Arch.LLAMA;
    }

    /** Exact number of parameters as transformers counts them (tied embeddings counted once). */
    public long parameterCount() {
        long h = hiddenSize, v = vocabSize, i = intermediateSize, q = qDim(), kv = kvDim();
        long attention = h * q + 2 * h * kv + q * h;
        if (hasQkvBias()) {
            attention += q + 2 * kv;
        }
        if (hasOProjBias()) {
            attention += h;
        }
        long mlp = 3 * h * i;
        long perLayer = attention + mlp + 2 * h; // + input and post-attention RMSNorm
        long total = v * h + numLayers * perLayer + h; // embeddings, layers, final norm
        return tieWordEmbeddings ? total : total + v * h;
    }

    // --- config.json ---

    public static ModelConfig load(Path configJson) {
        JsonNode root;
        try {
            root = SafeTensors.JSON.readTree(Files.readAllBytes(configJson));
        } catch (NoSuchFileException e) {
            throw new DeepalignException("config.json at " + configJson + " does not exist.", e);
        } catch (JsonProcessingException e) {
            throw new DeepalignException("config.json at " + configJson + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + ": " + e.getOriginalMessage() + ").", e);
        } catch (IOException e) {
            throw new DeepalignException("cannot read config.json at " + configJson + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new DeepalignException("config.json at " + configJson + " is not a JSON object.");
        }
        try {
            return new ConfigJsonReader(configJson, root).parse();
        } catch (Invalid e) {
            throw new DeepalignException("config.json at " + configJson + " is invalid: " + e.problem + ".");
        }
    }

    /** Writes an HF-compatible config.json (sorted keys, 2-space indent, like save_pretrained). */
    public void save(Path configJson) {
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", List.of(architecture.hfName()));
        m.put("model_type", architecture.modelType());
        m.put("vocab_size", vocabSize);
        m.put("hidden_size", hiddenSize);
        m.put("intermediate_size", intermediateSize);
        m.put("num_hidden_layers", numLayers);
        m.put("num_attention_heads", numHeads);
        m.put("num_key_value_heads", numKvHeads);
        m.put("head_dim", headDim);
        m.put("hidden_act", "silu");
        m.put("rms_norm_eps", rmsNormEps);
        m.put("rope_theta", ropeTheta);
        if (ropeScaling != null) {
            Map<String, Object> rs = new TreeMap<>();
            rs.put("rope_type", ropeScaling.type());
            rs.put("factor", ropeScaling.factor());
            rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
            rs.put("high_freq_factor", ropeScaling.highFreqFactor());
            rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
            m.put("rope_scaling", rs);
        } else {
            m.put("rope_scaling", null);
        }
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("attention_bias", attentionBias);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenIds.isEmpty() ? null : eosTokenIds.size() == 1 ? eosTokenIds.get(0) : eosTokenIds);
        m.put("torch_dtype", torchDtype);
        m.put("transformers_version", TRANSFORMERS_VERSION);
        if (architecture == Arch.MISTRAL) m.put("sliding_window", slidingWindow);
        try {
            SafeTensors.writeString(configJson, SafeTensors.PRETTY.writeValueAsString(m) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
