package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;

import deepalign.report.Plots;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train.jsonl: header then steps; resuming drops the steps after the checkpoint; curves read the steps back. */
class TrainLogTest {
    @TempDir
    Path tmp;

    private static Map<String, Object> step(int n, double loss) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", n);
        m.put("loss", loss);
        return m;
    }

    @Test
    void resumeKeepsTheStepsUpToTheCheckpointAndCurvesReadThem() {
        Path file = tmp.resolve("train.jsonl");
        TrainLog log = new TrainLog(file, Map.of("method", "test"), -1);
        for (int i = 1; i <= 4; i++) log.step(step(i, 1.0 / i));
        assertThat(TrainLog.readSteps(file)).hasSize(4);

        TrainLog resumed = new TrainLog(file, Map.of("method", "test"), 2);
        assertThat(resumed.steps()).hasSize(2);
        resumed.step(step(3, 0.3));
        Plots.Series c = TrainLog.curve(file, "loss", "run");
        assertThat(c.x()).containsExactly(1.0, 2.0, 3.0);
        assertThat(c.y()).containsExactly(1.0, 0.5, 0.3);
        assertThat(TrainLog.curve(file, "l_kl", "run")).isNull();
        assertThat(TrainLog.curve(tmp.resolve("absent.jsonl"), "loss", "run")).isNull();
    }
}
