package deepalign.data;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonlTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsExamples() {
        List<Example> in = List.of(
                new Example("a", "How?", "Like this.", "No.", "cyber", true, List.of(), null, "Sure, here is"),
                new Example("b", "2+2?", null, null, "mmlu", false, List.of("3", "4"), "1", null));
        Path f = tmp.resolve("sub/ex.jsonl");
        Jsonl.writeExamples(f, in);
        assertThat(Jsonl.readExamples(f)).isEqualTo(in);
        try (var files = Files.list(f.getParent())) {
            assertThat(files.toList()).containsExactly(f); // no temp file left behind
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void blankLinesSkippedDefaultsFilledAndNumbersAccepted() throws Exception {
        Path f = tmp.resolve("ex.jsonl");
        Files.writeString(f, "{\"prompt\":\"p1\"}\n\n   \n{\"prompt\":\"p2\",\"answer\":42,\"id\":7}\n");
        List<Example> ex = Jsonl.readExamples(f);
        assertThat(ex).hasSize(2);
        assertThat(ex.get(0).id()).isEqualTo("0");
        assertThat(ex.get(0).harmful()).isFalse();
        assertThat(ex.get(0).choices()).isEmpty();
        assertThat(ex.get(1).answer()).isEqualTo("42");
        assertThat(ex.get(1).id()).isEqualTo("7");
    }

    @Test
    void missingPromptNamesFileAndLine() throws Exception {
        Path f = tmp.resolve("ex.jsonl");
        Files.writeString(f, "{\"prompt\":\"p\"}\n\n{\"response\":\"r\"}\n");
        assertThatThrownBy(() -> Jsonl.readExamples(f)).isInstanceOf(DeepalignException.class)
                .hasMessage(f + " line 3: the record has no 'prompt'.");
    }

    @Test
    void invalidJsonNamesFileAndLine() throws Exception {
        Path f = tmp.resolve("ex.jsonl");
        Files.writeString(f, "{\"prompt\":\"p\"}\n{\"prompt\": oops}\n");
        assertThatThrownBy(() -> Jsonl.readExamples(f)).isInstanceOf(DeepalignException.class)
                .hasMessageStartingWith(f + " line 2: invalid JSON");
    }

    @Test
    void wrongFieldTypesAreReported() throws Exception {
        Path f = tmp.resolve("ex.jsonl");
        Files.writeString(f, "{\"prompt\":\"p\",\"harmful\":\"yes\"}\n");
        assertThatThrownBy(() -> Jsonl.readExamples(f)).hasMessageContaining("line 1: 'harmful' must be true or false");
        Files.writeString(f, "{\"prompt\":\"p\",\"choices\":\"A\"}\n");
        assertThatThrownBy(() -> Jsonl.readExamples(f)).hasMessageContaining("'choices' must be an array");
        Files.writeString(f, "{\"prompt\":{\"x\":1}}\n");
        assertThatThrownBy(() -> Jsonl.readExamples(f)).hasMessageContaining("'prompt' must be a string");
    }

    @Test
    void appendLineAndReadTree() {
        Path f = tmp.resolve("log.jsonl");
        Jsonl.appendLine(f, Map.of("k", 1));
        Jsonl.appendLine(f, Map.of("k", 2));
        List<JsonNode> nodes = Jsonl.readTree(f);
        assertThat(nodes).extracting(n -> n.get("k").asInt()).containsExactly(1, 2);
        assertThat(Jsonl.readLines(f)).extracting(Jsonl.Line::number).containsExactly(1, 2);
    }

    @Test
    void writeJsonReplacesAtomically() {
        Path f = tmp.resolve("out.json");
        Jsonl.writeJson(f, Map.of("a", 1));
        Jsonl.writeJson(f, Map.of("a", 2));
        assertThat(Jsonl.readJson(f).get("a").asInt()).isEqualTo(2);
    }
}
