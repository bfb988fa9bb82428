package deepalign.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    // np.save(f, (np.arange(6).reshape(2, 3) - 2.5).astype('<f4')) with numpy 2.4
    private static final String NUMPY_2X3 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAACDAAADAvwAAAL8AAAA/AADAPwAAIEA=";
    // np.save(f, np.array([1.5, -2], dtype='<f4'))
    private static final String NUMPY_1D = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwA==";

    @TempDir
    Path tmp;

    @Test
    void writesExactlyWhatNumpyWrites() {
        float[] data = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f};
        assertThat(Npy.toBytes(new Npy.Array(new long[] {2, 3}, data))).isEqualTo(Base64.getDecoder().decode(NUMPY_2X3));
        assertThat(Npy.toBytes(new Npy.Array(new long[] {2}, new float[] {1.5f, -2f}))).isEqualTo(Base64.getDecoder().decode(NUMPY_1D));
    }

    @Test
    void headerIsPaddedToSixtyFourBytesAndEndsWithNewline() {
        for (long[] shape : new long[][] {{3, 64}, {123, 45678}, {7}, {1, 2, 3}, {1_000_000_000_000L, 5}}) {
            byte[] h = Npy.header(shape);
            assertThat(h.length % 64).as(Arrays.toString(shape)).isZero();
            assertThat(h[h.length - 1]).isEqualTo((byte) '\n');
            String text = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
            assertThat(text).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape[0]);
            assertThat(((h[8] & 0xff) | (h[9] & 0xff) << 8)).isEqualTo(h.length - 10);
        }
        assertThat(Npy.headerDict(new long[] {3, 64})).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 64), }");
        assertThat(Npy.headerDict(new long[] {5})).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }");
    }

    @Test
    void roundTripsThroughAFile() {
        float[] data = new float[3 * 70];
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i) * 1e3f;
        Path f = tmp.resolve("sub/x.npy");
        Npy.write(f, new long[] {3, 70}, data);
        Npy.Array back = Npy.read(f);
        assertThat(back.shape()).containsExactly(3, 70);
        assertThat(back.data()).containsExactly(data);
        assertThat(Npy.parse(Base64.getDecoder().decode(NUMPY_2X3), "numpy").data()).containsExactly(-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f);
    }

    @Test
    void refusesWhatItCannotRead() throws Exception {
        Path notNpy = Files.writeString(tmp.resolve("a.npy"), "hello world, not numpy");
        assertThatThrownBy(() -> Npy.read(notNpy)).isInstanceOf(DeepalignException.class).hasMessageContaining("not a NumPy");
        byte[] f8 = Npy.toBytes(new Npy.Array(new long[] {1}, new float[] {1}));
        String s = new String(f8, StandardCharsets.ISO_8859_1).replace("<f4", "<f8");
        assertThatThrownBy(() -> Npy.parse(s.getBytes(StandardCharsets.ISO_8859_1), "f8.npy")).hasMessageContaining("<f8");
        byte[] cut = Arrays.copyOf(f8, f8.length - 1);
        assertThatThrownBy(() -> Npy.parse(cut, "cut.npy")).hasMessageContaining("should hold 1 float32");
        assertThatThrownBy(() -> Npy.read(tmp.resolve("missing.npy"))).hasMessageContaining("does not exist");
    }
}
