package deepalign.model;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.model.ModelConfig.Arch;
import deepalign.model.ModelConfig.Builder;
import deepalign.model.ModelConfig.RopeScaling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Hugging Face config.json into a {@link ModelConfig}, with the defaults of transformers' LlamaConfig /
 * Qwen2Config / MistralConfig; what deepalign cannot run (other activations, mlp_bias, other rope scalings, Qwen2's
 * sliding window) is refused with the file and field named.
 */
record ConfigJsonReader(Path file, JsonNode root) {

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
        Builder b = ModelConfig.builder(arch, requiredInt("vocab_size"), hidden, requiredInt("intermediate_size"),
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
