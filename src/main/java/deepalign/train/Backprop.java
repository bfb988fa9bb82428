package deepalign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd recording and backward passes that may run on several threads at once. DJL's GradientCollector
 * allows one collector in the whole process; PyTorch itself keeps grad mode per thread and accumulates
 * leaf gradients under a lock, which is what the data-parallel shards of a training step need.
 *
 * <pre>{@code
 * try (Backprop.Recording r = Backprop.record()) {
 *     NDArray loss = ...;          // forward, recorded on this thread
 *     Backprop.backward(loss);     // adds d loss / d param into every parameter's gradient
 * }
 * }</pre>
 */
public final class Backprop {
    private Backprop() {}

    /** Grad mode on for this thread until closed, then back to what it was. */
    public static final class Recording implements AutoCloseable {
        private final boolean previous;

        private Recording() {
            previous = JniUtils.isGradMode();
            JniUtils.setGradMode(true);
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }

    public static Recording record() {
        return new Recording();
    }

    /** Back-propagates a scalar (or sums a non-scalar with ones), freeing its graph. */
    public static void backward(NDArray loss) {
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        }
    }
}
