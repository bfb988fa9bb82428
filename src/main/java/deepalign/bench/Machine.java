package deepalign.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import deepalign.cli.Versions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * What a benchmark number depends on besides the code: CPU, JVM, allocator, PyTorch threads. Recorded next to
 * every result so numbers from different machines or settings are not compared by mistake.
 *
 * @param tcmalloc       whether LD_PRELOAD holds tcmalloc (glibc malloc returns big buffers to the OS, and
 *                       re-faulting them costs more than small ops compute)
 * @param ompWaitPolicy  OMP_WAIT_POLICY as set in the environment (PASSIVE helps when other processes share the cores)
 * @param loadAverage    the 1-minute load average when the run started; above the core count, other processes
 *                       took CPU time from the measurement and the numbers are low and noisy
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Machine(int cores, String cpu, String os, String java, boolean tcmalloc, int intraOpThreads,
                      int interOpThreads, int workers, String ompWaitPolicy, double loadAverage, Map<String, String> versions) {

    public static Machine current() {
        Engine.getInstance(); // loads libtorch, so the thread counts below are the ones it runs with
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                preload.contains("tcmalloc"), JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), deepalign.model.Workers.count(),
                System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset)"),
                Math.max(0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()), Versions.all());
    }

    /** Sets PyTorch's intra-op thread count (at::set_num_threads); takes effect for the next op. */
    public static void setIntraOpThreads(int n) {
        Engine.getInstance();
        JniUtils.setNumThreads(n);
    }

    /** One line for table titles. */
    public String summary() {
        return cores + " cores, " + intraOpThreads + " intra-op threads, " + workers + (workers == 1 ? " worker, " : " workers, ") + (tcmalloc ? "tcmalloc" : "glibc malloc")
                + ", OMP_WAIT_POLICY " + ompWaitPolicy + ", load average " + String.format(Locale.ROOT, "%.1f", loadAverage)
                + ", " + cpu;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the JVM's architecture is all we know
        }
        return System.getProperty("os.arch");
    }
}
