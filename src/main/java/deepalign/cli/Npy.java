package deepalign.cli;

import deepalign.DeepalignException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0) of little-endian float32, byte for byte what {@code numpy.save} writes,
 * so Python reads deepalign's logits with {@code np.load}. Layout: the magic {@code \x93NUMPY}, version 1.0,
 * a little-endian uint16 header length, then the header dict padded with spaces and a newline so the data
 * starts on a 64-byte boundary, then the data in C order.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    // numpy >= 1.23 leaves room to grow the first axis to 21 digits so appenders can rewrite the header in place
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final Pattern HEADER = Pattern.compile(
            "\\{'descr': '([^']*)', 'fortran_order': (True|False), 'shape': \\(([0-9, ]*)\\), \\}\\s*");

    /** A float32 array and its shape (C order). */
    public record Array(long[] shape, float[] data) {
        public Array {
            long n = 1;
            for (long d : shape) n *= d;
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, not " + data.length);
            }
        }
    }

    private Npy() {}

    /** The header dict as numpy writes it, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. */
    static String headerDict(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) s.append(", ");
            s.append(shape[i]);
        }
        s.append(shape.length == 1 ? ",)" : ")"); // Python's repr of a 1-tuple
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + s + ", }";
        return shape.length == 0 ? dict : dict + " ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length());
    }

    /** Magic, version, length and padded header: everything before the data. */
    static byte[] header(long[] shape) {
        byte[] dict = headerDict(shape).getBytes(StandardCharsets.US_ASCII);
        int prefix = MAGIC.length + 2 + 2;
        int pad = ALIGN - (prefix + dict.length + 1) % ALIGN; // numpy pads a full 64 when already aligned
        int len = dict.length + pad + 1;
        ByteBuffer b = ByteBuffer.allocate(prefix + len).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) len).put(dict);
        for (int i = 0; i < pad; i++) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }

    public static byte[] toBytes(Array a) {
        byte[] head = header(a.shape());
        ByteBuffer b = ByteBuffer.allocate(head.length + 4 * a.data().length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(head);
        b.asFloatBuffer().put(a.data());
        return b.array();
    }

    /** Writes {@code data} with {@code shape}; via a temp file, so a reader never sees half an array. */
    public static void write(Path file, long[] shape, float[] data) {
        byte[] bytes = toBytes(new Array(shape, data));
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        try {
            Files.createDirectories(abs.getParent());
            Files.write(tmp, bytes);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new DeepalignException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static Array read(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new DeepalignException(file + " does not exist.", e);
        } catch (IOException e) {
            throw new DeepalignException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a little-endian float32 C-order .npy (format 1.0 or 2.0). */
    public static Array parse(byte[] bytes, String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new DeepalignException(name + " is not a NumPy .npy file (no \\x93NUMPY magic).");
        }
        int major = bytes[6];
        b.position(8);
        long headerLen = switch (major) {
            case 1 -> Short.toUnsignedInt(b.getShort());
            case 2 -> Integer.toUnsignedLong(b.getInt());
            default -> throw new DeepalignException(name + " is .npy format " + major + ", which deepalign cannot read.");
        };
        if (b.position() + headerLen > bytes.length) throw new DeepalignException(name + " is truncated inside its header.");
        String header = new String(bytes, b.position(), (int) headerLen, StandardCharsets.ISO_8859_1);
        Matcher m = HEADER.matcher(header);
        if (!m.matches()) throw new DeepalignException(name + " has a .npy header deepalign does not understand: " + header.strip());
        if (!m.group(1).equals("<f4") || m.group(2).equals("True")) {
            throw new DeepalignException(name + " holds " + m.group(1) + (m.group(2).equals("True") ? " in Fortran order" : "")
                    + "; deepalign reads only little-endian float32 (<f4) in C order.");
        }
        List<Long> dims = new ArrayList<>();
        for (String d : m.group(3).split(",")) if (!d.isBlank()) dims.add(Long.parseLong(d.strip()));
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : shape) n *= d;
        int start = b.position() + (int) headerLen;
        if (bytes.length - start != 4 * n) {
            throw new DeepalignException(name + " should hold " + n + " float32 values after its header but has " + (bytes.length - start) + " bytes.");
        }
        float[] data = new float[Math.toIntExact(n)];
        ByteBuffer.wrap(bytes, start, bytes.length - start).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Array(shape, data);
    }
}
