package deepalign.model;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.model.ModelConfig.Arch;
import deepalign.model.RawTensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointFilesTest {

    static final ModelConfig QWEN = ModelConfig.of(Arch.QWEN2, 32, 8, 12, 2, 2, 1);

    @TempDir
    Path tmp;

    /** Random weights with exactly the tensors and shapes {@code config} implies. */
    static List<RawTensor> weights(ModelConfig config, DType dtype) {
        List<RawTensor> out = new ArrayList<>();
        int seed = 0;
        for (String name : CheckpointFiles.expectedTensorNames(config)) {
            out.add(SafeTensorsTest.random(name, dtype, CheckpointFiles.expectedShape(config, name), seed++));
        }
        return out;
    }

    Path modelDir(ModelConfig config, List<RawTensor> tensors, long maxShardBytes) {
        Path dir = tmp.resolve("model");
        config.save(dir.resolve("config.json"));
        CheckpointFiles.write(dir, tensors, maxShardBytes);
        return dir;
    }

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void expectedNamesAndShapesFollowTransformers() {
        List<String> names = CheckpointFiles.expectedTensorNames(QWEN);
        assertThat(names).hasSize(1 + 2 * 12 + 1 + 1).startsWith("model.embed_tokens.weight")
                .contains("model.layers.1.self_attn.k_proj.bias", "model.layers.0.mlp.down_proj.weight",
                        "model.layers.1.post_attention_layernorm.weight", "model.norm.weight", "lm_head.weight")
                .doesNotContain("model.layers.0.self_attn.o_proj.bias");
        assertThat(CheckpointFiles.expectedShape(QWEN, "model.layers.0.self_attn.q_proj.weight")).containsExactly(8, 8);
        assertThat(CheckpointFiles.expectedShape(QWEN, "model.layers.0.self_attn.k_proj.weight")).containsExactly(4, 8);
        assertThat(CheckpointFiles.expectedShape(QWEN, "model.layers.0.self_attn.v_proj.bias")).containsExactly(4);
        assertThat(CheckpointFiles.expectedShape(QWEN, "model.layers.0.mlp.gate_proj.weight")).containsExactly(12, 8);
        assertThat(CheckpointFiles.expectedShape(QWEN, "model.layers.0.mlp.down_proj.weight")).containsExactly(8, 12);
        assertThat(CheckpointFiles.expectedShape(QWEN, "lm_head.weight")).containsExactly(32, 8);

        ModelConfig tiedLlama = ModelConfig.builder(Arch.LLAMA, 32, 8, 12, 1, 2, 2).tieWordEmbeddings(true)
                .attentionBias(true).build();
        assertThat(CheckpointFiles.expectedTensorNames(tiedLlama)).doesNotContain("lm_head.weight")
                .contains("model.layers.0.self_attn.o_proj.bias");
        assertThat(CheckpointFiles.expectedTensorNames(ModelConfig.of(Arch.MISTRAL, 32, 8, 12, 1, 2, 2)))
                .noneMatch(n -> n.endsWith(".bias"));
        assertThatThrownBy(() -> CheckpointFiles.expectedShape(QWEN, "model.layers.2.mlp.up_proj.weight"))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("Qwen2ForCausalLM with 2 layers");
    }

    @Test
    void singleFileWriteThenRead() throws IOException {
        List<RawTensor> tensors = weights(QWEN, DType.BF16);
        Path dir = modelDir(QWEN, tensors, Long.MAX_VALUE);
        assertThat(files(dir)).containsExactly("config.json", "model.safetensors");

        CheckpointFiles ckpt = CheckpointFiles.open(dir);
        ckpt.validate(QWEN);
        assertThat(ckpt.loadConfig()).isEqualTo(QWEN);
        assertThat(ckpt.tensorNames()).containsExactlyInAnyOrderElementsOf(CheckpointFiles.expectedTensorNames(QWEN));
        Map<String, RawTensor> back = ckpt.readAll();
        for (RawTensor t : tensors) {
            assertThat(back.get(t.name())).isEqualTo(t);
        }
        assertThat(ckpt.fileOf("lm_head.weight")).isEqualTo(dir.resolve("model.safetensors"));
    }

    @Test
    void shardedWriteThenReadLikeSavePretrained() throws IOException {
        List<RawTensor> tensors = weights(QWEN, DType.F32);
        long total = tensors.stream().mapToLong(RawTensor::byteSize).sum();
        Path dir = modelDir(QWEN, tensors, 1024); // embed and lm_head are 1 KiB each: several shards
        List<String> shardFiles = files(dir).stream().filter(n -> n.startsWith("model-")).toList();
        int n = shardFiles.size();
        assertThat(n).isGreaterThan(2);
        assertThat(shardFiles.get(0)).isEqualTo(String.format("model-00001-of-%05d.safetensors", n));
        assertThat(files(dir)).contains("model.safetensors.index.json").doesNotContain("model.safetensors");
        for (String shard : shardFiles) {
            long bytes = SafeTensors.open(dir.resolve(shard)).entries().values().stream()
                    .mapToLong(e -> e.end() - e.begin()).sum();
            assertThat(bytes).isLessThanOrEqualTo(1024);
        }

        JsonNode index = SafeTensors.JSON.readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(total);
        assertThat(index.get("weight_map").size()).isEqualTo(tensors.size());
        assertThat(index.get("weight_map").get("model.embed_tokens.weight").asText()).isEqualTo(shardFiles.get(0));

        CheckpointFiles ckpt = CheckpointFiles.open(dir);
        ckpt.validate(QWEN);
        List<RawTensor> visited = new ArrayList<>();
        ckpt.forEach(visited::add);
        assertThat(visited).extracting(RawTensor::name).isSorted().hasSize(tensors.size());
        assertThat(visited).containsExactlyInAnyOrderElementsOf(tensors);

        // saving again unsharded removes the shards and the index, so the directory holds one checkpoint
        CheckpointFiles.write(dir, tensors, Long.MAX_VALUE);
        assertThat(files(dir)).containsExactly("config.json", "model.safetensors");
        assertThat(CheckpointFiles.open(dir).readAll().values()).containsExactlyInAnyOrderElementsOf(tensors);
    }

    @Test
    void validateReportsShapeMismatchAgainstConfig() {
        Path dir = modelDir(QWEN, weights(QWEN, DType.F32), Long.MAX_VALUE);
        ModelConfig wider = ModelConfig.of(Arch.QWEN2, 32, 8, 16, 2, 2, 1); // intermediate 16, file has 12
        assertThatThrownBy(() -> CheckpointFiles.open(dir).validate(wider)).isInstanceOf(DeepalignException.class)
                .hasMessage("tensor model.layers.0.mlp.gate_proj.weight in " + dir.resolve("model.safetensors")
                        + " has shape [12, 8] but config.json implies [16, 8].");
    }

    @Test
    void validateListsMissingAndUnexpectedTensors() {
        List<RawTensor> tensors = new ArrayList<>(weights(QWEN, DType.F32));
        tensors.removeIf(t -> t.name().equals("model.norm.weight"));
        tensors.add(SafeTensorsTest.random("model.extra.weight", DType.F32, new long[]{2}, 9));
        tensors.add(SafeTensorsTest.random("model.layers.0.self_attn.rotary_emb.inv_freq", DType.F32, new long[]{2}, 9));
        Path dir = modelDir(QWEN, tensors, Long.MAX_VALUE);
        assertThatThrownBy(() -> CheckpointFiles.open(dir).validate(QWEN)).isInstanceOf(DeepalignException.class)
                .hasMessage("the checkpoint in " + dir + " does not match its config.json: missing tensors "
                        + "[model.norm.weight], unexpected tensors [model.extra.weight].");
        // a three-layer config sees 13 missing tensors, abbreviated
        ModelConfig deeper = ModelConfig.of(Arch.QWEN2, 32, 8, 12, 3, 2, 1);
        assertThatThrownBy(() -> CheckpointFiles.open(dir).validate(deeper))
                .hasMessageContaining("... and 8 more]");
    }

    @Test
    void tiedModelToleratesAStoredLmHead() {
        ModelConfig tied = ModelConfig.builder(Arch.QWEN2, 32, 8, 12, 1, 2, 1).tieWordEmbeddings(true).build();
        List<RawTensor> tensors = new ArrayList<>(weights(tied, DType.F16));
        tensors.add(SafeTensorsTest.random("lm_head.weight", DType.F16, new long[]{32, 8}, 3));
        CheckpointFiles.open(modelDir(tied, tensors, Long.MAX_VALUE)).validate(tied);
    }

    @Test
    void missingConfigJson() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        SafeTensors.write(dir.resolve("model.safetensors"), weights(QWEN, DType.F32), null);
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).isInstanceOf(DeepalignException.class)
                .hasMessage(dir + " has no config.json; a Hugging Face model directory needs config.json, "
                        + "*.safetensors and tokenizer.json.");
    }

    @Test
    void pickleOnlyDirectoryIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        QWEN.save(dir.resolve("config.json"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[]{(byte) 0x80, 2});
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("pytorch_model.bin")
                .hasMessageContaining("execute arbitrary code").hasMessageContaining("safe_serialization=True");
        Files.delete(dir.resolve("pytorch_model.bin"));
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining(dir + " has no *.safetensors");
    }

    @Test
    void anySingleSafetensorsFileIsAccepted() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        QWEN.save(dir.resolve("config.json"));
        SafeTensors.write(dir.resolve("weights.safetensors"), weights(QWEN, DType.F32), null);
        CheckpointFiles.open(dir).validate(QWEN);
        SafeTensors.write(dir.resolve("other.safetensors"), List.of(), null);
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining(dir.toString())
                .hasMessageContaining("several *.safetensors files [other.safetensors, weights.safetensors]");
    }

    /** A sharded model whose index maps one tensor to {@code shardName}. */
    Path withIndexEntry(String shardName) throws IOException {
        Path dir = modelDir(QWEN, weights(QWEN, DType.F32), 1024);
        Path index = dir.resolve("model.safetensors.index.json");
        String json = Files.readString(index);
        int at = json.indexOf("\"model-00001-of-"); // the first weight_map value naming shard 1
        Files.writeString(index, json.substring(0, at) + "\"" + shardName.replace("\\", "\\\\") + "\""
                + json.substring(json.indexOf("\"", at + 1) + 1));
        return dir;
    }

    @Test
    void indexMayNotEscapeTheModelDirectory() throws IOException {
        SafeTensors.write(tmp.resolve("outside.safetensors"), weights(QWEN, DType.F32), null);
        Path index = tmp.resolve("model").resolve("model.safetensors.index.json");

        Path dir = withIndexEntry("../outside.safetensors");
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(index.toString()).hasMessageContaining("../outside.safetensors")
                .hasMessageContaining("leaves the model directory");

        String absolute = tmp.resolve("outside.safetensors").toAbsolutePath().toString();
        withIndexEntry(absolute);
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining(index.toString())
                .hasMessageContaining(absolute).hasMessageContaining("an absolute path");
        withIndexEntry("C:\\weights\\x.safetensors");
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining("an absolute path");
        withIndexEntry("sub/../../outside.safetensors");
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining("leaves the model directory");

        withIndexEntry("link.safetensors");
        Files.createSymbolicLink(dir.resolve("link.safetensors"), tmp.resolve("outside.safetensors"));
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining(index.toString())
                .hasMessageContaining("outside the model directory");

        withIndexEntry("absent.safetensors");
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining(index.toString())
                .hasMessageContaining("absent.safetensors, which does not exist");
    }

    @Test
    void indexEntriesMustExistInTheirShard() throws IOException {
        Path dir = modelDir(QWEN, weights(QWEN, DType.F32), 1024);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace("\"lm_head.weight\"", "\"lm_head.wrong\""));
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining(index.toString())
                .hasMessageContaining("maps tensor lm_head.wrong to").hasMessageContaining("has no such tensor");
        Files.writeString(index, "{\"metadata\": {}}");
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessage(index + " has no weight_map object.");
        Files.writeString(index, "{\"weight_map\": ");
        assertThatThrownBy(() -> CheckpointFiles.open(dir)).hasMessageContaining(index + " is not valid JSON");
    }

    @Test
    void hubCacheSnapshotSymlinksIntoBlobsAreAllowed() throws IOException {
        // models--org--name/snapshots/REV/* are symlinks to models--org--name/blobs/HASH
        Path repo = tmp.resolve("models--org--tiny");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve("abc123"));
        Path staging = modelDir(QWEN, weights(QWEN, DType.BF16), 1024);
        for (String name : files(staging)) {
            Path blob = Files.move(staging.resolve(name), blobs.resolve("hash-" + name));
            Files.createSymbolicLink(snapshot.resolve(name), blob);
        }
        CheckpointFiles ckpt = CheckpointFiles.open(snapshot);
        ckpt.validate(ckpt.loadConfig());
        assertThat(ckpt.readAll()).hasSize(CheckpointFiles.expectedTensorNames(QWEN).size());
    }

    @Test
    void writeRejectsDuplicatesAndBadShardSize() {
        List<RawTensor> dup = List.of(SafeTensorsTest.random("a", DType.F32, new long[]{1}, 1),
                SafeTensorsTest.random("a", DType.F32, new long[]{1}, 2));
        assertThatThrownBy(() -> CheckpointFiles.write(tmp, dup, 100)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("tensor a appears twice");
        assertThatThrownBy(() -> CheckpointFiles.write(tmp, List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
