package deepalign.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalarsTest {
    /**
     * The constants must outlive the op that used them: between forward and backward the JVM collects
     * garbage and hands freed direct memory out again (here filled with NaN). DJL's own x.mul(c) reads its
     * freed constant in that situation; the gradients through Scalars stay exact.
     */
    @Test
    void gradientsThroughConstantsSurviveGarbageCollectionBeforeBackward() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0.5f, 2f, -1f, 4f});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Scalars.mul(x, 3).add(Scalars.div(x, 4)).add(Scalars.pow(x.square().add(1f), 0.5))
                        .add(Scalars.maximum(x, 1));
                NDArray loss = y.sum();
                churnDirectMemory();
                gc.backward(loss);
            }
            float[] g = x.getGradient().toFloatArray();
            float[] v = {0.5f, 2f, -1f, 4f};
            for (int i = 0; i < v.length; i++) {
                double want = 3 + 0.25 + v[i] / Math.sqrt(v[i] * v[i] + 1) + (v[i] > 1 ? 1 : 0);
                assertThat((double) g[i]).as("d/dx at %s", v[i]).isCloseTo(want, offset(1e-5));
            }
        }
    }

    /** Drops references, runs the collector so direct buffers are freed, then reuses that memory with NaN. */
    private static void churnDirectMemory() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20);
            List<ByteBuffer> fill = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                b.putFloat(0, Float.NaN);
                fill.add(b);
            }
        }
    }
}
