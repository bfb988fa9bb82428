package deepalign.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import deepalign.DeepalignException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonOutTest {
    record Row(int position, double asr) {}

    record Summary(String model, List<Row> rows, double[] curve) {}

    @Test
    void roundTripsRecordsPrettyPrinted(@TempDir Path dir) throws IOException {
        Summary s = new Summary("tiny", List.of(new Row(0, 0.5), new Row(1, 0.25)), new double[] {1.5, 2.0});
        Path file = dir.resolve("out").resolve("summary.json");
        JsonOut.writeAtomic(file, s);

        String text = Files.readString(file);
        assertThat(text).contains("\n  \"model\" : \"tiny\"").endsWith("}\n");
        Summary back = JsonOut.read(file, Summary.class);
        assertThat(back.model()).isEqualTo("tiny");
        assertThat(back.rows()).containsExactly(new Row(0, 0.5), new Row(1, 0.25));
        assertThat(back.curve()).containsExactly(1.5, 2.0);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void refusesNaNInRecordFieldsNamingThePath() {
        Summary s = new Summary("m", List.of(new Row(0, 0.5), new Row(1, Double.NaN)), new double[] {1});
        assertThatThrownBy(() -> JsonOut.toJson(s))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("NaN").hasMessageContaining("/rows/1/asr").hasMessageContaining("finite");
    }

    @Test
    void refusesNonFiniteValuesInArraysMapsTreesAndFloats() {
        assertThatThrownBy(() -> JsonOut.toJson(new Summary("m", List.of(), new double[] {1, 2, Double.POSITIVE_INFINITY})))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("Infinity").hasMessageContaining("/curve/2");

        Map<String, Object> map = new LinkedHashMap<>();
        map.put("ok", 1.0);
        map.put("bad", Double.NaN);
        assertThatThrownBy(() -> JsonOut.toJson(map)).isInstanceOf(DeepalignException.class).hasMessageContaining("/bad");

        ObjectNode tree = JsonOut.mapper().createObjectNode();
        tree.putArray("xs").add(0.0).add(Double.NaN);
        assertThatThrownBy(() -> JsonOut.toJson(tree)).isInstanceOf(DeepalignException.class).hasMessageContaining("/xs/1");

        assertThatThrownBy(() -> JsonOut.toJson(new float[] {Float.NaN})).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("/0");
        assertThatThrownBy(() -> JsonOut.toJson(Double.NaN)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("top level");
    }

    @Test
    void refusedWriteLeavesNeitherFileNorTempFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        assertThatThrownBy(() -> JsonOut.writeAtomic(file, Map.of("x", Double.NaN)))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("bad.json").hasMessageContaining("/x");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void readErrorsNameTheFile(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> JsonOut.read(dir.resolve("missing.json"), Row.class))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("missing.json").hasMessageContaining("does not exist");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\n  \"position\" : 1,\n  \"asr\" : oops\n}\n");
        assertThatThrownBy(() -> JsonOut.read(broken, Row.class))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("broken.json").hasMessageContaining("line 3");
    }
}
