package deepalign.model;

import deepalign.DeepalignException;
import deepalign.model.RawTensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsTest {

    @TempDir
    Path dir;

    static RawTensor random(String name, DType dtype, long[] shape, long seed) {
        byte[] bytes = new byte[(int) (RawTensor.numel(shape) * dtype.bytes())];
        new Random(seed).nextBytes(bytes); // arbitrary bit patterns, NaNs included: must survive untouched
        return new RawTensor(name, dtype, shape, ByteBuffer.wrap(bytes));
    }

    /** A file with the given header text and data; headerLength overrides the true length. */
    static Path rawFile(Path file, long headerLength, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    static Path rawFile(Path file, String header, int dataBytes) throws IOException {
        return rawFile(file, header.getBytes(StandardCharsets.UTF_8).length, header, new byte[dataBytes]);
    }

    @Test
    void writeThenReadIsBitIdenticalForEveryDtype() {
        List<RawTensor> tensors = List.of(
                random("z.f32", DType.F32, new long[]{3, 5}, 1),
                random("a.bf16", DType.BF16, new long[]{7}, 2),
                random("m.f16", DType.F16, new long[]{2, 2, 3}, 3),
                random("scalar", DType.F32, new long[]{}, 4),
                random("empty", DType.BF16, new long[]{0, 4}, 5));
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, tensors, Map.of("note", "x"));

        Map<String, RawTensor> back = SafeTensors.readAll(file);
        assertThat(back.keySet()).containsExactly("a.bf16", "empty", "m.f16", "scalar", "z.f32");
        for (RawTensor t : tensors) {
            RawTensor r = back.get(t.name());
            assertThat(r).isEqualTo(t);
            assertThat(r.shape()).containsExactly(t.shape());
            assertThat(r.data().isReadOnly()).isTrue();
        }
        SafeTensors st = SafeTensors.open(file);
        assertThat(st.metadata()).containsEntry("format", "pt").containsEntry("note", "x");
        assertThat(dir.toFile().list()).containsExactly("model.safetensors"); // no temp file left behind
    }

    @Test
    void writtenLayoutMatchesTheReferenceFormat() throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, List.of(RawTensor.ofFloats("b", new long[]{2}, new float[]{1, 2}, DType.F32),
                RawTensor.ofFloats("a", new long[]{1}, new float[]{3}, DType.BF16)), null);
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero(); // data starts 8-byte aligned
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        // wider dtypes first (as the reference writer does) keeps every tensor aligned to its element size
        assertThat(header.stripTrailing()).isEqualTo("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[8,10]}}");
        assertThat(bytes.length).isEqualTo(8 + n + 10);
        // f32 1.0 = 0x3F800000 little-endian first; bf16(3.0) = 0x4040 last
        assertThat(bytes[8 + (int) n + 3]).isEqualTo((byte) 0x3F);
        assertThat(bytes[8 + (int) n + 8]).isEqualTo((byte) 0x40);
        assertThat(bytes[8 + (int) n + 9]).isEqualTo((byte) 0x40);
    }

    @Test
    void overwritesAtomicallyAndRejectsDuplicateNames() {
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, List.of(random("a", DType.F32, new long[]{4}, 1)), null);
        SafeTensors.write(file, List.of(random("b", DType.F16, new long[]{4}, 2)), null);
        assertThat(SafeTensors.open(file).entries().keySet()).containsExactly("b");
        assertThatThrownBy(() -> SafeTensors.write(file, List.of(random("a", DType.F32, new long[]{1}, 1),
                random("a", DType.F32, new long[]{1}, 2)), null))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("tensor name a is duplicated");
        assertThat(SafeTensors.open(file).entries().keySet()).containsExactly("b");
        assertThat(dir.toFile().list()).containsExactly("m.safetensors");
    }

    @Test
    void truncatedData() throws IOException {
        Path f = rawFile(dir.resolve("model.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 10);
        long size = Files.size(f);
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("is truncated: tensor w ends at byte " + (size - 10 + 16)
                        + " but the file has " + size + " bytes");
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        Path f = Files.write(dir.resolve("tiny.safetensors"), new byte[5]);
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("is truncated");
    }

    @Test
    void headerLongerThanFileIsRejectedBeforeAllocating() throws IOException {
        String h = "{}";
        Path f = rawFile(dir.resolve("a.safetensors"), 1000, h, new byte[0]);
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("header length 1000 that exceeds the file size");
        // lengths that would exhaust memory if trusted, including ones with the sign bit set
        for (long claimed : new long[]{Long.MAX_VALUE, -1L, 1L << 40}) {
            Path g = rawFile(dir.resolve("b.safetensors"), claimed, h, new byte[0]);
            assertThatThrownBy(() -> SafeTensors.open(g)).isInstanceOf(DeepalignException.class)
                    .hasMessageContaining(g.toString()).hasMessageContaining("exceeds the file size");
        }
    }

    @Test
    void headerOverTheHundredMegabyteLimit() throws IOException {
        Path f = rawFile(dir.resolve("big.safetensors"), 150_000_000L, "{}", new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(200_000_000L); // sparse: the claim fits the file but not the limit
        }
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("100 MB");
    }

    @Test
    void badJson() throws IOException {
        Path f = rawFile(dir.resolve("model.safetensors"), "{\"w\": {\"dtype\": ", 0);
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("not valid JSON");
        Path g = rawFile(dir.resolve("arr.safetensors"), "[1,2]", 0);
        assertThatThrownBy(() -> SafeTensors.open(g)).hasMessageContaining(g.toString())
                .hasMessageContaining("not a JSON object");
        Path d = rawFile(dir.resolve("dup.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(d)).hasMessageContaining(d.toString())
                .hasMessageContaining("not valid JSON").hasMessageContaining("Duplicate field");
    }

    @Test
    void unknownAndUnsupportedDtypes() throws IOException {
        for (String dtype : new String[]{"I64", "F64", "Q4"}) {
            Path f = rawFile(dir.resolve(dtype + ".safetensors"),
                    "{\"ids\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
            assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(DeepalignException.class)
                    .hasMessageContaining("unsupported dtype " + dtype + " for tensor ids in file " + f);
        }
    }

    @Test
    void offsetsOutOfRangeOverlappingOrInconsistent() throws IOException {
        Path out = rawFile(dir.resolve("out.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[100,108]}}", 16);
        assertThatThrownBy(() -> SafeTensors.open(out)).hasMessageContaining(out.toString())
                .hasMessageContaining("tensor w ends at byte");

        Path overlap = rawFile(dir.resolve("overlap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 16);
        assertThatThrownBy(() -> SafeTensors.open(overlap)).hasMessageContaining(overlap.toString())
                .hasMessageContaining("overlapping tensors a [0, 8) and b [4, 12)");

        Path mismatch = rawFile(dir.resolve("mismatch.safetensors"),
                "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(mismatch)).hasMessageContaining(mismatch.toString())
                .hasMessageContaining("needs 6 bytes, but its data_offsets span 8");

        Path backwards = rawFile(dir.resolve("backwards.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(backwards)).hasMessageContaining(backwards.toString())
                .hasMessageContaining("end before they begin");

        Path negative = rawFile(dir.resolve("negative.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(negative)).hasMessageContaining(negative.toString())
                .hasMessageContaining("not a non-negative integer");

        Path missing = rawFile(dir.resolve("missing.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(missing)).hasMessageContaining(missing.toString())
                .hasMessageContaining("malformed header entry for tensor w");
    }

    @Test
    void hugeClaimedShapesFailWithoutAllocating() throws IOException {
        // numel overflows a long
        Path overflow = rawFile(dir.resolve("overflow.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(overflow)).hasMessageContaining(overflow.toString())
                .hasMessageContaining("overflows");
        // consistent claim of 64 GiB in an 8-byte data section
        long bytes = 1L << 36;
        Path huge = rawFile(dir.resolve("huge.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + bytes / 4
                + "],\"data_offsets\":[0," + bytes + "]}}", 8);
        assertThatThrownBy(() -> SafeTensors.open(huge)).hasMessageContaining(huge.toString())
                .hasMessageContaining("is truncated");
    }

    @Test
    void toleratesEmptyTensorsAndHolesButReadsTheRightBytes() throws IOException {
        byte[] data = new byte[12];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 1.5f).putFloat(8, -4f);
        Path f = rawFile(dir.resolve("holes.safetensors"), 
                ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[2,2]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}").length(),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[2,2]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", data);
        SafeTensors st = SafeTensors.open(f);
        assertThat(st.tensor("a").toFloats()).containsExactly(1.5f);
        assertThat(st.tensor("b").toFloats()).containsExactly(-4f);
        assertThat(st.tensor("e").numel()).isZero();
        assertThatThrownBy(() -> st.tensor("nope")).hasMessageContaining(f.toString())
                .hasMessageContaining("no tensor named nope");
    }

    @Test
    void missingFileNamesIt() {
        Path f = dir.resolve("absent.safetensors");
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(DeepalignException.class)
                .hasMessage(f + " does not exist.");
    }
}
