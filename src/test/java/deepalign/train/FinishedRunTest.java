package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import deepalign.report.JsonOut;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinishedRunTest {
    record Cfg(Path data, int steps, double lr, long seed) {}

    record Res(int steps, double loss) {}

    @TempDir
    Path dir;

    @Test
    void aFinishedRunOfTheSameConfigIsFoundAndAnotherConfigIsRefused() throws Exception {
        Path data = dir.resolve("data");
        Cfg cfg = new Cfg(data, 10, 1e-3, 7L);
        // written before the data folder existed: Jackson's file URI then has no trailing slash
        JsonOut.writeAtomic(dir.resolve("config.json"), Map.of("config", cfg));
        assertThat(FinishedRun.find(dir, cfg, Res.class)).as("no result.json yet").isEmpty();
        JsonOut.writeAtomic(dir.resolve("result.json"), new Res(10, 0.5));
        assertThat(FinishedRun.find(dir, cfg, Res.class)).as("no model folder yet").isEmpty();
        Files.createDirectories(dir.resolve("model"));
        Files.createDirectories(data); // now its URI ends in a slash; still the same config
        assertThat(FinishedRun.find(dir, cfg, Res.class)).contains(new Res(10, 0.5));
        assertThatThrownBy(() -> FinishedRun.find(dir, new Cfg(data, 10, 2e-3, 7L), Res.class))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("another configuration");
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> FinishedRun.find(dir, cfg, Res.class)).isInstanceOf(DeepalignException.class);
    }
}
