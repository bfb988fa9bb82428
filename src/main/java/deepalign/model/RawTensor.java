package deepalign.model;

import deepalign.DeepalignException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor as stored in a checkpoint: dtype, shape and the raw little-endian bytes.
 * Kept free of DJL so checkpoint I/O can be tested without a native engine.
 *
 * @param data little-endian, read-only, exactly {@code numel * dtype.bytes()} bytes (position 0)
 */
public record RawTensor(String name, DType dtype, long[] shape, ByteBuffer data) {

    /** The element types deepalign reads; safetensors names them by {@link #safetensorsName()}. */
    public enum DType {
        F32(4), F16(2), BF16(2);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }

        public String safetensorsName() {
            return name();
        }

        /** Parses a safetensors dtype string; anything but F32/F16/BF16 is a user-facing error. */
        public static DType fromSafetensors(String dtype, String tensor, Path file) {
            for (DType d : values()) {
                if (d.safetensorsName().equals(dtype)) {
                    return d;
                }
            }
            throw new DeepalignException("unsupported dtype " + dtype + " for tensor " + tensor + " in file " + file
                    + " (deepalign reads F32, F16 and BF16).");
        }
    }

    public RawTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long bytes = Math.multiplyExact(numel(shape), dtype.bytes());
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " and dtype "
                    + dtype + " needs " + bytes + " bytes but has " + data.remaining());
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Product of the dimensions; throws on negative dimensions or overflow. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return numel(shape);
    }

    public long byteSize() {
        return data.capacity();
    }

    /** A copy, so callers cannot change the tensor's shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A fresh read-only little-endian view at position 0; reading it does not disturb other views. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Decodes every element to float (exact for all three dtypes). */
    public float[] toFloats() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new DeepalignException("tensor " + name + " has " + n + " elements, too many for one Java array.");
        }
        float[] out = new float[(int) n];
        ByteBuffer view = data();
        if (dtype == DType.F32) {
            view.asFloatBuffer().get(out);
            return out;
        }
        ShortBuffer halves = view.asShortBuffer();
        for (int i = 0; i < out.length; i++) {
            short h = halves.get(i);
            out[i] = dtype == DType.BF16 ? bf16ToFloat(h) : f16ToFloat(h);
        }
        return out;
    }

    public double[] toDoubles() {
        float[] f = toFloats();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** Encodes floats as {@code storeAs}; BF16 and F16 round to nearest, ties to even (like PyTorch). */
    public static RawTensor ofFloats(String name, long[] shape, float[] values, DType storeAs) {
        if (numel(shape) != values.length) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " needs "
                    + numel(shape) + " values but got " + values.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(values.length * storeAs.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (storeAs) {
                case F32 -> buf.putFloat(v);
                case BF16 -> buf.putShort(floatToBf16(v));
                case F16 -> buf.putShort(floatToF16(v));
            }
        }
        return new RawTensor(name, storeAs, shape, buf.flip());
    }

    // --- bf16: the top 16 bits of an f32 ---

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040); // keep sign, force a quiet NaN
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1); // ties to even; overflow carries into inf
        return (short) ((bits + roundingBias) >>> 16);
    }

    // --- f16 (IEEE binary16): 1 sign, 5 exponent (bias 15), 10 mantissa bits ---

    public static float f16ToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            float mag = mant * 0x1p-24f; // zero or subnormal: mant * 2^-24, exact in f32
            return sign != 0 ? -mag : mag;
        }
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13)); // inf or NaN
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00); // too large: inf
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half of the smallest subnormal: signed zero
            }
            int m = mant | 0x800000; // restore the implicit bit
            int shift = 14 - e;
            return (short) (sign | roundShift(m, shift));
        }
        // a carry out of the mantissa correctly bumps the exponent (and reaches inf at the top)
        return (short) (sign | roundShift((e << 23) | mant, 13));
    }

    /** value >>> shift, rounded to nearest with ties to even. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rem = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rem > half || (rem == half && (kept & 1) == 1)) {
            kept++;
        }
        return kept;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "RawTensor[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
    }
}
