package deepalign.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import deepalign.DeepalignException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs independent pieces of model work (the shards of a training batch, the batches of a generation run)
 * on several CPU threads at once. A small model on a few cores gains little from PyTorch's intra-op
 * threads, whose per-op wake-ups cost as much as the work (measured on the organism: 1 thread was faster
 * than 2); whole forward and backward passes on separate threads do not synchronise per op (1.55x on 2
 * cores for the organism's training step). The default is one worker per core, divided by PyTorch's
 * intra-op threads; {@code DEEPALIGN_WORKERS} overrides it, and a model on a GPU uses one.
 *
 * <p>Workers read shared parameters and write gradients that PyTorch accumulates under a lock; results come
 * back in task order, so callers combine them deterministically. Work submitted from inside a worker runs
 * inline, so nested use neither deadlocks nor oversubscribes the cores.
 */
public final class Workers {
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static volatile Integer override;
    private static ExecutorService pool;
    private static int poolSize;

    private Workers() {}

    /** Worker threads for CPU work: DEEPALIGN_WORKERS, else cores / intra-op threads (at least 1). */
    public static int count() {
        Integer fixed = override;
        if (fixed != null) return fixed;
        Integer env = fromEnvironment();
        if (env != null) return env;
        if (Engine.getInstance().defaultDevice().isGpu()) return 1;
        return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, JniUtils.getNumThreads()));
    }

    /**
     * DEEPALIGN_WORKERS, or null when it is not set; a value that is not a positive integer is bad input.
     * The CLI checks it before a command starts, so a bad value never stops a run half-way.
     */
    public static Integer fromEnvironment() {
        String env = System.getenv("DEEPALIGN_WORKERS");
        if (env == null || env.isBlank()) return null;
        try {
            int n = Integer.parseInt(env.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DeepalignException("DEEPALIGN_WORKERS must be a positive integer, not '" + env + "'");
    }

    /**
     * Uses {@code n} workers until the returned handle is closed (tests, and callers that compare runs
     * across worker counts); then the configured count again.
     */
    public static AutoCloseable use(int n) {
        if (n < 1) throw new IllegalArgumentException("workers must be at least 1");
        Integer before = override;
        override = n;
        return () -> override = before;
    }

    /** Runs the tasks, several at once when there are workers to spare, and returns their results in order. */
    public static <T> List<T> map(List<? extends Callable<T>> tasks) {
        List<T> out = new ArrayList<>(tasks.size());
        int n = tasks.size() <= 1 || INSIDE.get() ? 1 : count();
        if (n == 1) {
            for (Callable<T> t : tasks) out.add(callInline(t));
            return out;
        }
        List<Future<T>> futures = new ArrayList<>();
        ExecutorService exec = pool(n);
        for (Callable<T> t : tasks) futures.add(exec.submit(t));
        RuntimeException failure = null;
        for (Future<T> f : futures) {
            try {
                out.add(f.get()); // wait for every task, even after a failure: none may still touch the model
            } catch (ExecutionException e) {
                if (failure == null) failure = asRuntime(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new DeepalignException("interrupted while waiting for a worker");
            }
        }
        if (failure != null) throw failure;
        return out;
    }

    /** Splits {@code items} into at most {@code n} contiguous, non-empty parts of near-equal size. */
    public static <T> List<List<T>> split(List<T> items, int n) {
        int parts = Math.max(1, Math.min(n, items.size()));
        List<List<T>> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) out.add(items.subList(p * items.size() / parts, (p + 1) * items.size() / parts));
        return out;
    }

    private static <T> T callInline(Callable<T> t) {
        try {
            return t.call();
        } catch (Exception e) {
            throw asRuntime(e);
        }
    }

    private static RuntimeException asRuntime(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new DeepalignException(t.getMessage() == null ? t.toString() : t.getMessage(), t);
    }

    private static synchronized ExecutorService pool(int n) {
        if (pool == null || poolSize != n) {
            if (pool != null) pool.shutdown();
            Engine.getInstance(); // loads libtorch before asking it for its thread count
            // the caller's intra-op threads shared out, so n workers never run more threads than the caller would
            int threads = Math.max(1, JniUtils.getNumThreads() / n);
            pool = Executors.newFixedThreadPool(n, r -> {
                Thread th = new Thread(() -> {
                    INSIDE.set(true);
                    JniUtils.setNumThreads(threads); // a new thread would otherwise take PyTorch's default
                    JniUtils.setGradMode(false); // grad mode is per thread and on by default; DJL turns it off on the main thread
                    r.run();
                }, "deepalign-worker");
                th.setDaemon(true);
                return th;
            });
            poolSize = n;
        }
        return pool;
    }
}
