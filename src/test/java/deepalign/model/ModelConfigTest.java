package deepalign.model;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.model.ModelConfig.Arch;
import deepalign.model.ModelConfig.RopeScaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelConfigTest {

    // abridged copies of the published config.json files
    static final String LLAMA31_8B = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
             "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
             "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1,
             "rms_norm_eps": 1e-05,
             "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.43.0.dev0", "use_cache": true, "vocab_size": 128256}
            """;
    static final String QWEN25_05B = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "transformers_version": "4.43.1", "use_cache": true,
             "use_sliding_window": false, "vocab_size": 151936}
            """;
    static final String MISTRAL_7B = """
            {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
             "max_position_embeddings": 32768, "model_type": "mistral", "num_attention_heads": 32,
             "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
             "sliding_window": 4096, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}
            """;

    @TempDir
    Path dir;

    Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    @Test
    void llama31WithLlama3RopeScalingAndEosList() throws IOException {
        ModelConfig c = ModelConfig.load(write(LLAMA31_8B));
        assertThat(c.architecture()).isEqualTo(Arch.LLAMA);
        assertThat(c.vocabSize()).isEqualTo(128256);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(14336);
        assertThat(c.numLayers()).isEqualTo(32);
        assertThat(c.numHeads()).isEqualTo(32);
        assertThat(c.numKvHeads()).isEqualTo(8);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.ropeScaling()).isEqualTo(new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192));
        assertThat(c.maxPositionEmbeddings()).isEqualTo(131072);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.bosTokenId()).isEqualTo(128000);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
        assertThat(c.parameterCount()).isEqualTo(8_030_261_248L); // the published 8.03B
    }

    @Test
    void qwen2TiedWithQkvBiasAndEosInt() throws IOException {
        ModelConfig c = ModelConfig.load(write(QWEN25_05B));
        assertThat(c.architecture()).isEqualTo(Arch.QWEN2);
        assertThat(c.attentionBias()).isTrue();
        assertThat(c.hasOProjBias()).isFalse();
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.eosTokenIds()).containsExactly(151645);
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.parameterCount()).isEqualTo(494_032_768L); // the published 0.49B
    }

    @Test
    void mistralHasNoBiasEvenIfTheConfigClaimsOne() throws IOException {
        ModelConfig c = ModelConfig.load(write(MISTRAL_7B.replace("\"bos_token_id\"", "\"attention_bias\": true, \"bos_token_id\"")));
        assertThat(c.architecture()).isEqualTo(Arch.MISTRAL);
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.parameterCount()).isEqualTo(7_241_732_096L); // the published 7.24B
        assertThatThrownBy(() -> ModelConfig.builder(Arch.MISTRAL, 10, 8, 12, 1, 2, 2).attentionBias(true).build())
                .isInstanceOf(DeepalignException.class).hasMessageContaining("MistralForCausalLM has no attention bias");
    }

    @Test
    void slidingWindowFollowsTransformersDefaults() throws IOException {
        assertThat(ModelConfig.load(write(MISTRAL_7B)).slidingWindow()).isEqualTo(4096);
        assertThat(ModelConfig.load(write(MISTRAL_7B.replace("\"sliding_window\": 4096", "\"sliding_window\": null"))).slidingWindow()).isNull();
        // MistralConfig's default when the key is absent
        assertThat(ModelConfig.load(write(MISTRAL_7B.replace("\"sliding_window\": 4096, ", ""))).slidingWindow()).isEqualTo(4096);
        assertThat(ModelConfig.load(write(QWEN25_05B)).slidingWindow()).isNull();
        Path f = write(QWEN25_05B.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true"));
        assertThatThrownBy(() -> ModelConfig.load(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("use_sliding_window true, which deepalign does not support");
        Path dir2 = dir.resolve("saved");
        Files.createDirectories(dir2);
        ModelConfig.load(write(MISTRAL_7B)).save(dir2.resolve("config.json"));
        assertThat(ModelConfig.load(dir2.resolve("config.json")).slidingWindow()).isEqualTo(4096);
    }

    @Test
    void saveThenLoadRoundTrips() throws IOException {
        for (String json : List.of(LLAMA31_8B, QWEN25_05B, MISTRAL_7B)) {
            ModelConfig c = ModelConfig.load(write(json));
            Path out = dir.resolve("saved").resolve("config.json");
            c.save(out);
            assertThat(ModelConfig.load(out)).isEqualTo(c);
        }
        ModelConfig custom = ModelConfig.builder(Arch.LLAMA, 300, 64, 96, 3, 4, 2).headDim(8).attentionBias(true)
                .tieWordEmbeddings(true).ropeScaling(RopeScaling.llama3(4, 1, 4, 64)).ropeTheta(123.5)
                .rmsNormEps(1e-5).maxPositionEmbeddings(512).bosTokenId(null).eosTokenIds(List.of()).torchDtype("float16")
                .build();
        Path out = dir.resolve("custom.json");
        custom.save(out);
        assertThat(ModelConfig.load(out)).isEqualTo(custom);
    }

    @Test
    void savedJsonLooksLikeTransformersWroteIt() throws IOException {
        Path out = dir.resolve("out.json");
        ModelConfig.load(write(LLAMA31_8B)).save(out);
        String text = Files.readString(out);
        assertThat(text).startsWith("{\n  \"architectures\": [\n    \"LlamaForCausalLM\"\n  ],\n").endsWith("}\n");
        JsonNode n = SafeTensors.JSON.readTree(text);
        assertThat(n.get("model_type").asText()).isEqualTo("llama");
        assertThat(n.get("torch_dtype").asText()).isEqualTo("bfloat16");
        assertThat(n.get("transformers_version").isTextual()).isTrue();
        assertThat(n.get("eos_token_id").isArray()).isTrue();
        assertThat(n.get("rope_scaling").get("rope_type").asText()).isEqualTo("llama3");
        assertThat(n.get("num_key_value_heads").asInt()).isEqualTo(8);
        assertThat(n.get("hidden_act").asText()).isEqualTo("silu");

        ModelConfig.load(write(QWEN25_05B)).save(out);
        JsonNode q = SafeTensors.JSON.readTree(out.toFile());
        assertThat(q.get("eos_token_id").isInt()).isTrue(); // one eos id is written as an int, as HF does
        assertThat(q.get("rope_scaling").isNull()).isTrue();
        assertThat(q.get("tie_word_embeddings").asBoolean()).isTrue();
    }

    @Test
    void parameterCountMatchesAHandCount() {
        // V=10, H=8, I=12, 2 layers, 2 heads of 4, 1 kv head: q 64 + k 32 + v 32 + o 64 + mlp 288 + norms 16 = 496
        ModelConfig llama = ModelConfig.of(Arch.LLAMA, 10, 8, 12, 2, 2, 1);
        assertThat(llama.parameterCount()).isEqualTo(80 + 2 * 496 + 8 + 80);
        assertThat(ModelConfig.builder(Arch.LLAMA, 10, 8, 12, 2, 2, 1).tieWordEmbeddings(true).build()
                .parameterCount()).isEqualTo(80 + 2 * 496 + 8);
        // qwen2 adds q/k/v biases (8 + 4 + 4); llama's attention_bias also biases o_proj (8)
        assertThat(ModelConfig.of(Arch.QWEN2, 10, 8, 12, 2, 2, 1).parameterCount()).isEqualTo(1160 + 2 * 16);
        assertThat(ModelConfig.builder(Arch.LLAMA, 10, 8, 12, 2, 2, 1).attentionBias(true).build().parameterCount())
                .isEqualTo(1160 + 2 * 24);
        // an explicit head_dim decouples the q width (2 x 6 = 12) from hidden size 8
        ModelConfig wide = ModelConfig.builder(Arch.MISTRAL, 10, 8, 12, 1, 2, 1).headDim(6).build();
        assertThat(wide.parameterCount()).isEqualTo(80 + (8 * 12 + 2 * 8 * 6 + 12 * 8 + 288 + 16) + 8 + 80);
    }

    @Test
    void parameterCountAgreesWithExpectedTensorShapes() {
        for (ModelConfig c : List.of(ModelConfig.of(Arch.QWEN2, 50, 16, 40, 3, 4, 2),
                ModelConfig.builder(Arch.LLAMA, 50, 16, 40, 3, 4, 4).attentionBias(true).tieWordEmbeddings(true).build(),
                ModelConfig.builder(Arch.MISTRAL, 50, 16, 40, 2, 4, 1).headDim(6).build())) {
            long sum = 0;
            for (String name : CheckpointFiles.expectedTensorNames(c)) {
                sum += RawTensor.numel(CheckpointFiles.expectedShape(c, name));
            }
            assertThat(c.parameterCount()).as(c.toString()).isEqualTo(sum);
        }
    }

    @Test
    void modelTypeFallbackAndAlternativeSpellings() throws IOException {
        ModelConfig c = ModelConfig.load(write("""
                {"model_type": "qwen2", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 12,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "head_dim": null, "attention_bias": false,
                 "rope_scaling": {"type": "llama3", "factor": 2, "low_freq_factor": 1, "high_freq_factor": 4,
                                  "original_max_position_embeddings": 16},
                 "dtype": "float16", "bos_token_id": null}
                """));
        assertThat(c.architecture()).isEqualTo(Arch.QWEN2);
        assertThat(c.attentionBias()).isFalse(); // the config's word wins over the qwen2 default
        assertThat(c.numKvHeads()).isEqualTo(2); // defaults to num_attention_heads
        assertThat(c.headDim()).isEqualTo(4);
        assertThat(c.ropeTheta()).isEqualTo(10000);
        assertThat(c.ropeScaling().factor()).isEqualTo(2.0);
        assertThat(c.torchDtype()).isEqualTo("float16");
        assertThat(c.bosTokenId()).isNull();
        assertThat(c.eosTokenIds()).isEmpty();
        assertThat(c.maxPositionEmbeddings()).isEqualTo(32768); // Qwen2Config's default

        String noScaling = LLAMA31_8B.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"default\"");
        assertThat(ModelConfig.load(write(noScaling)).ropeScaling()).isNull();
    }

    @Test
    void unknownArchitectureIsNamed() throws IOException {
        Path f = write(LLAMA31_8B.replace("LlamaForCausalLM", "GPT2LMHeadModel"));
        assertThatThrownBy(() -> ModelConfig.load(f)).isInstanceOf(DeepalignException.class).hasMessage(
                "config.json at " + f + " declares architecture GPT2LMHeadModel; deepalign supports "
                        + "LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM.");
        Path g = write("{\"model_type\": \"gpt2\", \"hidden_size\": 8}");
        assertThatThrownBy(() -> ModelConfig.load(g)).hasMessageContaining(g.toString())
                .hasMessageContaining("declares architecture gpt2;");
    }

    @Test
    void unsupportedRopeScalingIsNamed() throws IOException {
        Path f = write(LLAMA31_8B.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\""));
        assertThatThrownBy(() -> ModelConfig.load(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("rope_scaling type yarn");
        Path g = write(LLAMA31_8B.replace("\"low_freq_factor\": 1.0,", ""));
        assertThatThrownBy(() -> ModelConfig.load(g)).hasMessageContaining(g.toString())
                .hasMessageContaining("rope_scaling.low_freq_factor");
    }

    @Test
    void invalidSizesNameTheFileAndTheField() throws IOException {
        assertInvalid(QWEN25_05B.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"),
                "num_key_value_heads (3) must divide num_attention_heads (14)");
        assertInvalid(QWEN25_05B.replace("\"hidden_size\": 896", "\"hidden_size\": 900"),
                "num_attention_heads (14) must divide hidden_size (900) when head_dim is not given");
        assertInvalid(QWEN25_05B.replace("\"vocab_size\": 151936", "\"vocab_size\": 0"),
                "vocab_size must be positive but is 0");
        assertInvalid(QWEN25_05B.replace("\"intermediate_size\": 4864,", ""), "has no intermediate_size");
        assertInvalid(QWEN25_05B.replace("\"num_hidden_layers\": 24", "\"num_hidden_layers\": 2.5"),
                "num_hidden_layers = 2.5, not an integer");
        assertInvalid(QWEN25_05B.replace("\"eos_token_id\": 151645", "\"eos_token_id\": [1, \"x\"]"),
                "eos_token_id = \"x\", not an integer");
        assertInvalid(QWEN25_05B.replace("\"silu\"", "\"gelu\""), "hidden_act \"gelu\"");
        assertInvalid(QWEN25_05B.replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": \"yes\""),
                "not true or false");
        // an explicit head_dim makes a non-dividing hidden size legal
        ModelConfig ok = ModelConfig.load(write(QWEN25_05B.replace("\"hidden_size\": 896", "\"hidden_size\": 900, \"head_dim\": 64")));
        assertThat(ok.qDim()).isEqualTo(14 * 64);
        assertThatThrownBy(() -> ModelConfig.of(Arch.LLAMA, 10, 8, 12, 1, 2, 0)).isInstanceOf(DeepalignException.class)
                .hasMessage("invalid model config: num_key_value_heads must be positive but is 0.");
    }

    private void assertInvalid(String json, String problem) throws IOException {
        Path f = write(json);
        assertThatThrownBy(() -> ModelConfig.load(f)).isInstanceOf(DeepalignException.class)
                .hasMessageStartingWith("config.json at " + f).hasMessageContaining(problem);
    }

    @Test
    void badJsonAndMissingFile() throws IOException {
        Path f = write("{\"hidden_size\": 8,\n \"vocab_size\": }");
        assertThatThrownBy(() -> ModelConfig.load(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("config.json at " + f + " is not valid JSON (line 2");
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> ModelConfig.load(missing)).hasMessage("config.json at " + missing + " does not exist.");
    }
}
