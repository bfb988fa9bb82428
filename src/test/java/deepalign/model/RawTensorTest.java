package deepalign.model;

import deepalign.DeepalignException;
import deepalign.model.RawTensor.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static deepalign.model.RawTensor.bf16ToFloat;
import static deepalign.model.RawTensor.f16ToFloat;
import static deepalign.model.RawTensor.floatToBf16;
import static deepalign.model.RawTensor.floatToF16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawTensorTest {

    @Test
    void f16KnownBitPatterns() {
        assertThat(f16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(f16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(f16ToFloat((short) 0x7BFF)).isEqualTo(65504.0f);
        assertThat(f16ToFloat((short) 0x0400)).isEqualTo(0x1p-14f); // smallest normal
        assertThat(f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f); // smallest subnormal
        assertThat(f16ToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
        assertThat(f16ToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
        assertThat(Float.floatToRawIntBits(f16ToFloat((short) 0x8000))).isEqualTo(0x80000000); // -0
        assertThat(f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(f16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(f16ToFloat((short) 0x7E00)).isNaN();

        assertThat(floatToF16(1.0f)).isEqualTo((short) 0x3C00);
        assertThat(floatToF16(-2.0f)).isEqualTo((short) 0xC000);
        assertThat(floatToF16(65504.0f)).isEqualTo((short) 0x7BFF);
        assertThat(floatToF16(1e6f)).isEqualTo((short) 0x7C00);
        assertThat(floatToF16(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(floatToF16(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(floatToF16(Float.NaN) & 0x7C00).isEqualTo(0x7C00);
        assertThat(floatToF16(Float.NaN) & 0x03FF).isNotZero();
    }

    @Test
    void f16RoundsToNearestEven() {
        assertThat(floatToF16(1f + 0x1p-11f)).isEqualTo((short) 0x3C00); // tie -> even (down)
        assertThat(floatToF16(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3C02); // tie -> even (up)
        assertThat(floatToF16(1f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3C01); // above tie
        assertThat(floatToF16(65520f)).isEqualTo((short) 0x7C00); // tie at the top rounds to inf
        assertThat(floatToF16(65519f)).isEqualTo((short) 0x7BFF);
        assertThat(floatToF16(0x1p-25f)).isEqualTo((short) 0x0000); // subnormal tie -> even zero
        assertThat(floatToF16(3 * 0x1p-25f)).isEqualTo((short) 0x0002); // subnormal tie -> even
        assertThat(floatToF16(0x1p-26f)).isEqualTo((short) 0x0000);
        assertThat(floatToF16(0x1p-14f - 0x1p-26f)).isEqualTo((short) 0x0400); // rounds up into normals
    }

    @Test
    void everyF16AndBf16BitPatternRoundTrips() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float f = f16ToFloat((short) bits);
            short back = floatToF16(f);
            if (Float.isNaN(f)) {
                assertThat(f16ToFloat(back)).isNaN();
            } else {
                assertThat(back & 0xFFFF).as("f16 %04x", bits).isEqualTo(bits);
                // independent reference for finite values: sign * mant * 2^(exp-25) (with implicit bit)
                int exp = (bits >>> 10) & 0x1F;
                if (exp != 0x1F) {
                    int mant = bits & 0x3FF;
                    double ref = exp == 0 ? mant * Math.pow(2, -24) : (1024 + mant) * Math.pow(2, exp - 25);
                    assertThat((double) Math.abs(f)).isEqualTo(ref);
                }
            }
            float b = bf16ToFloat((short) bits);
            short bBack = floatToBf16(b);
            if (Float.isNaN(b)) {
                assertThat(bf16ToFloat(bBack)).isNaN();
            } else {
                assertThat(bBack & 0xFFFF).as("bf16 %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void bf16KnownBitPatternsAndRounding() {
        assertThat(bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(bf16ToFloat((short) 0x4049)).isEqualTo(3.140625f);
        assertThat(bf16ToFloat((short) 0xC2F7)).isEqualTo(-123.5f);
        assertThat(floatToBf16((float) Math.PI)).isEqualTo((short) 0x4049);
        assertThat(floatToBf16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80); // tie -> even (down)
        assertThat(floatToBf16(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3F82); // tie -> even (up)
        assertThat(floatToBf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
        assertThat(floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80); // rounds to inf, as torch does
        assertThat(floatToBf16(Float.NaN) & 0x7FC0).isEqualTo(0x7FC0);
    }

    @Test
    void ofFloatsAndToFloatsAgreeForEveryDtype() {
        float[] values = {0f, 1f, -2.5f, 0.15625f, 1024f, -0.0f};
        for (DType d : DType.values()) {
            RawTensor t = RawTensor.ofFloats("w", new long[]{2, 3}, values, d);
            assertThat(t.numel()).isEqualTo(6);
            assertThat(t.byteSize()).isEqualTo(6L * d.bytes());
            assertThat(t.toFloats()).containsExactly(values); // all exactly representable
            assertThat(t.toDoubles()).containsExactly(0, 1, -2.5, 0.15625, 1024, -0.0);
            assertThat(t.data().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(t.data().isReadOnly()).isTrue();
        }
        RawTensor bf = RawTensor.ofFloats("w", new long[]{1}, new float[]{1f}, DType.BF16);
        assertThat(bf.data().get(0)).isEqualTo((byte) 0x80); // little-endian: low byte first
        assertThat(bf.data().get(1)).isEqualTo((byte) 0x3F);
    }

    @Test
    void rejectsInconsistentSizesAndProtectsItsState() {
        assertThatThrownBy(() -> RawTensor.ofFloats("w", new long[]{2, 2}, new float[3], DType.F32))
                .hasMessageContaining("needs 4 values");
        assertThatThrownBy(() -> new RawTensor("w", DType.F16, new long[]{3}, ByteBuffer.allocate(4)))
                .hasMessageContaining("needs 6 bytes");
        long[] shape = {2};
        RawTensor t = new RawTensor("w", DType.F32, shape, ByteBuffer.allocate(8));
        shape[0] = 99;
        t.shape()[0] = 99;
        assertThat(t.shape()).containsExactly(2);
        t.data().position(4);
        assertThat(t.data().remaining()).isEqualTo(8);
        assertThat(t).isEqualTo(new RawTensor("w", DType.F32, new long[]{2}, ByteBuffer.allocate(8)));
    }

    @Test
    void unsupportedDtypeNamesTensorAndFile() {
        assertThat(DType.fromSafetensors("BF16", "w", Path.of("m.safetensors"))).isEqualTo(DType.BF16);
        assertThatThrownBy(() -> DType.fromSafetensors("I64", "pos_ids", Path.of("m.safetensors")))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("unsupported dtype I64 for tensor pos_ids in file m.safetensors");
    }
}
