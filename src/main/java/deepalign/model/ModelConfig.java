package deepalign.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
            return new Parser(configJson, root).parse();
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

    /** Reads the fields with the defaults of transformers' LlamaConfig / Qwen2Config / MistralConfig. */
    private record Parser(Path file, JsonNode root) {

        ModelConfig parse() {
            Arch arch = architecture();
            if (has("hidden_act") && !root.get("hidden_act").asText().equals("silu")) {
                throw fail("declares hidden_act " + root.get("hidden_act") + "; deepalign supports only silu");
            }
            if (root.path("mlp_bias").asBoolean(false)) {
                throw fail("declares mlp_bias true, which deepalign does not support");
            }
            int hidden = requiredInt("hidden_size");
            int heads = requiredInt("num_attention_heads");
            Builder b = builder(arch, requiredInt("vocab_size"), hidden, requiredInt("intermediate_size"),
                    requiredInt("num_hidden_layers"), heads, optInt("num_key_value_heads", heads));
            if (has("head_dim")) {
                b.headDim(requiredInt("head_dim"));
            }
            b.rmsNormEps(optDouble("rms_norm_eps", 1e-6)).ropeTheta(optDouble("rope_theta", 10000));
            b.ropeScaling(ropeScaling());
            if (has("max_position_embeddings")) {
                b.maxPositionEmbeddings(requiredInt("max_position_embeddings"));
            }
            b.tieWordEmbeddings(optBool("tie_word_embeddings", false));
            // Qwen2 always has q/k/v biases; Mistral never has any (transformers ignores the field there)
            b.attentionBias(switch (arch) {
                case QWEN2 -> optBool("attention_bias", true);
                case LLAMA -> optBool("attention_bias", false);
                case MISTRAL -> false;
            });
            b.bosTokenId(has("bos_token_id") ? requiredInt("bos_token_id") : null);
            b.eosTokenIds(eosTokenIds());
            // MistralConfig's default is 4096 when the key is absent, none when it is null; Qwen2's window
            // (use_sliding_window, per layer from max_window_layers) is not implemented, so it is refused
            if (arch == Arch.MISTRAL) {
                b.slidingWindow(!root.has("sliding_window") ? Integer.valueOf(4096) : has("sliding_window") ? requiredInt("sliding_window") : null);
            }
            if (arch == Arch.QWEN2 && root.path("use_sliding_window").asBoolean(false)) {
                throw fail("declares use_sliding_window true, which deepalign does not support (Qwen2's per-layer window)");
            }
            String dtype = has("torch_dtype") ? root.get("torch_dtype").asText()
                    : has("dtype") ? root.get("dtype").asText() : "float32";
            return b.torchDtype(dtype).build();
        }

        private Arch architecture() {
            String declared = null;
            JsonNode archs = root.path("architectures");
            if (archs.isArray() && archs.size() > 0) {
                declared = archs.get(0).asText();
                for (Arch a : Arch.values()) {
                    if (a.hfName().equals(declared)) {
                        return a;
                    }
                }
            } else if (has("model_type")) {
                declared = root.get("model_type").asText();
                for (Arch a : Arch.values()) {
                    if (a.modelType().equals(declared)) {
                        return a;
                    }
                }
            }
            throw fail("declares architecture " + (declared == null ? "(none: no architectures or model_type)" : declared)
                    + "; deepalign supports LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM");
        }

        private RopeScaling ropeScaling() {
            if (!has("rope_scaling")) {
                return null;
            }
            JsonNode rs = root.get("rope_scaling");
            String type = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText() : rs.path("type").asText(null);
            if (type == null || type.equals("default")) {
                return null;
            }
            if (!type.equals("llama3")) {
                throw fail("declares rope_scaling type " + type + "; deepalign supports only llama3 rope scaling");
            }
            return RopeScaling.llama3(number(rs, "rope_scaling.factor", "factor"),
                    number(rs, "rope_scaling.low_freq_factor", "low_freq_factor"),
                    number(rs, "rope_scaling.high_freq_factor", "high_freq_factor"),
                    integer(rs, "rope_scaling.original_max_position_embeddings", "original_max_position_embeddings"));
        }

        private List<Integer> eosTokenIds() {
            if (!has("eos_token_id")) {
                return List.of();
            }
            JsonNode eos = root.get("eos_token_id");
            if (!eos.isArray()) {
                return List.of(requiredInt("eos_token_id"));
            }
            List<Integer> ids = new ArrayList<>();
            for (JsonNode id : eos) {
                ids.add(asInt(id, "eos_token_id"));
            }
            return ids;
        }

        private boolean has(String key) {
            return root.hasNonNull(key);
        }

        private int requiredInt(String key) {
            if (!has(key)) {
                throw fail("has no " + key);
            }
            return asInt(root.get(key), key);
        }

        private int optInt(String key, int dflt) {
            return has(key) ? asInt(root.get(key), key) : dflt;
        }

        private double optDouble(String key, double dflt) {
            return has(key) ? number(root, key, key) : dflt;
        }

        private boolean optBool(String key, boolean dflt) {
            if (!has(key)) {
                return dflt;
            }
            if (!root.get(key).isBoolean()) {
                throw fail("has " + key + " = " + root.get(key) + ", not true or false");
            }
            return root.get(key).asBoolean();
        }

        private int integer(JsonNode obj, String label, String key) {
            if (!obj.hasNonNull(key)) {
                throw fail("has no " + label);
            }
            return asInt(obj.get(key), label);
        }

        private double number(JsonNode obj, String label, String key) {
            JsonNode n = obj.get(key);
            if (n == null || !n.isNumber()) {
                throw fail("has " + label + " = " + n + ", not a number");
            }
            return n.asDouble();
        }

        private int asInt(JsonNode n, String label) {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw fail("has " + label + " = " + n + ", not an integer");
            }
            return n.asInt();
        }

        private DeepalignException fail(String problem) {
            return new DeepalignException("config.json at " + file + " " + problem + ".");
        }
    }
}
