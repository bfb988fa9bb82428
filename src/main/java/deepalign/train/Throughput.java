package deepalign.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Compute accounting for training reports: achieved GFLOP/s under the usual transformer estimate
 * (2 x params per token for a forward pass, 6 x params per token for forward + backward) next to the
 * square-matmul rate measured on the same device in the same run, which bounds what the model could reach.
 */
public final class Throughput {
    private Throughput() {}

    /** GFLOP/s of {@code flopsPerToken * tokens} done in {@code seconds}. */
    public static double gflops(double flopsPerToken, long tokens, double seconds) {
        return seconds <= 0 ? 0 : flopsPerToken * tokens / seconds / 1e9;
    }

    private static final java.util.Map<String, Double> MEASURED = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@link #matmulGflops(Device, int, int)} measured once per device and size in this JVM. */
    public static double matmulGflopsOnce(Device device, int n, int reps) {
        return MEASURED.computeIfAbsent(device + "/" + n, k -> matmulGflops(device, n, reps));
    }

    /** Float32 [n, n] x [n, n] matmul rate on {@code device} (two warm-up products, then {@code reps} timed). */
    public static double matmulGflops(Device device, int n, int reps) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            for (int i = 0; i < 2; i++) a.matMul(b).sum().getFloat();
            long t0 = System.nanoTime();
            NDArray acc = null;
            for (int i = 0; i < reps; i++) {
                NDArray c = a.matMul(b);
                acc = acc == null ? c.sum() : acc.add(c.sum());
            }
            acc.getFloat(); // forces completion on asynchronous devices
            double s = (System.nanoTime() - t0) / 1e9;
            return 2.0 * n * n * n * reps / s / 1e9;
        }
    }
}
