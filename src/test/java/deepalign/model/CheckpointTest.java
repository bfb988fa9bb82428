package deepalign.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void saveThenLoadIsBitIdentical() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer a = TinyModels.random(TinyModels.qwen2Tied(), m, 11);
            TinyModels.randomizeBiases(a, 12);
            Checkpoint.save(a, tmp.resolve("ck"));
            Transformer b = Checkpoint.load(tmp.resolve("ck"), m, DataType.FLOAT32);
            assertThat(b.config()).isEqualTo(a.config());
            assertThat(b.parameters().keySet()).containsExactlyElementsOf(a.parameters().keySet());
            for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
                assertThat(b.param(e.getKey()).toFloatArray()).as(e.getKey()).containsExactly(e.getValue().toFloatArray());
            }
        }
    }

    @Test
    void savedFilesGetTheProcesssOrdinaryPermissionsNotATempFilesOwnerOnlyOnes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.save(TinyModels.random(TinyModels.qwen2Tied(), m, 11), tmp.resolve("ck"));
        }
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "x"); // what the umask gives any new file
        var expected = Files.getPosixFilePermissions(plain);
        for (String f : new String[] {"model.safetensors", "config.json"}) {
            assertThat(Files.getPosixFilePermissions(tmp.resolve("ck").resolve(f))).as(f).isEqualTo(expected);
        }
    }

    @Test
    void bf16AndShardedCheckpointsLoad() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer a = TinyModels.random(TinyModels.llama(), m, 13);
            Path dir = tmp.resolve("sharded-bf16");
            Checkpoint.save(a, dir, RawTensor.DType.BF16, 20_000);
            assertThat(dir.resolve("model.safetensors.index.json")).exists();
            assertThat(Files.list(dir).filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count())
                    .isGreaterThan(1);
            Transformer b = Checkpoint.load(dir, m, DataType.FLOAT32);
            float[] x = a.param("model.layers.1.mlp.up_proj.weight").toFloatArray();
            float[] y = b.param("model.layers.1.mlp.up_proj.weight").toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).isEqualTo(RawTensor.bf16ToFloat(RawTensor.floatToBf16(x[i])));
            }
            NDArray ids = m.create(new long[] {1, 2, 3, 4}, new Shape(1, 4));
            float[] la = a.forward(ids, m.ones(new Shape(1, 4)), null).toFloatArray();
            float[] lb = b.forward(ids, m.ones(new Shape(1, 4)), null).toFloatArray();
            for (int i = 0; i < la.length; i++) assertThat(lb[i]).isCloseTo(la[i], org.assertj.core.data.Offset.offset(0.05f));
        }
    }

    @Test
    void randomInitIsSeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = TinyModels.random(TinyModels.llama(), m, 5).param("model.embed_tokens.weight").toFloatArray();
            float[] b = TinyModels.random(TinyModels.llama(), m, 5).param("model.embed_tokens.weight").toFloatArray();
            float[] c = TinyModels.random(TinyModels.llama(), m, 6).param("model.embed_tokens.weight").toFloatArray();
            assertThat(a).containsExactly(b);
            assertThat(a).isNotEqualTo(c);
        }
    }
}
