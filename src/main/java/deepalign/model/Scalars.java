package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;

/**
 * Arithmetic with a constant, safe under autograd. DJL's {@code x.mul(2f)} (and div, pow, maximum with a
 * number) builds the constant with {@code torch::from_blob} over a Java direct buffer and closes it as soon
 * as the op returns. Autograd keeps that constant for the backward pass (d(x c)/dx = c), but the buffer is
 * now garbage: once the JVM collects it, backward reads freed memory. Measured: with a thread calling
 * System.gc() every 5 ms, 21 of the first 254 pretraining steps of the organism had a NaN gradient; without
 * it, NaN gradients appeared at random steps in long runs and made runs with the same seed diverge. Here the
 * constant lives in PyTorch-owned memory ({@code torch::full}), which the graph keeps alive by reference.
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-d tensor holding {@code value} in {@code like}'s dtype, manager and device, owned by PyTorch. */
    public static NDArray like(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    public static NDArray mul(NDArray x, double c) {
        return withConstant(x, c, NDArray::mul);
    }

    public static NDArray div(NDArray x, double c) {
        return withConstant(x, c, NDArray::div);
    }

    public static NDArray pow(NDArray x, double c) {
        return withConstant(x, c, NDArray::pow);
    }

    public static NDArray maximum(NDArray x, double c) {
        return withConstant(x, c, NDArray::maximum);
    }

    /** op(x, c); closing our handle is safe because the graph holds its own reference to PyTorch's memory. */
    private static NDArray withConstant(NDArray x, double c, BinaryOperator<NDArray> op) {
        try (NDArray s = like(x, c)) {
            return op.apply(x, s);
        }
    }
}
