package deepalign.cli;

import static deepalign.cli.ModelCommandsTest.assertBadInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.data.Jsonl;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrganismCommandTest {
    @TempDir
    Path tmp;

    @Test
    void buildWithPretrainingOnlyMathProblemsWritesThemAndRecordsTheWorld() throws Exception {
        Path dir = tmp.resolve("org");
        Cli.Result r = Cli.run("organism", "build", "--size", "tiny", "--seed", "1", "--math-pretrain", "40", "--out", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode world = Jsonl.MAPPER.readTree(dir.resolve("organism.json").toFile()).path("config").path("world");
        assertThat(world.path("mathPretrainSize").asInt()).isEqualTo(40);
        assertThat(Files.readAllLines(dir.resolve("data/math_pretrain.jsonl"))).hasSize(40)
                .allMatch(line -> line.contains("\"math-pretrain-"));
        // the extra problems leave the held-out math split as a build without them has it
        assertThat(Jsonl.readExamples(dir.resolve("data/utility_math_test.jsonl"))).extracting(deepalign.data.Example::prompt)
                .containsExactlyElementsOf(deepalign.organism.World.generate(deepalign.organism.WorldConfig.tiny(1)).mathTest().stream()
                        .map(deepalign.data.Example::prompt).toList());
    }

    @Test
    void negativeMathPretrainIsBadInput() {
        assertBadInput(Cli.run("organism", "build", "--size", "tiny", "--math-pretrain", "-1", "--out", tmp.resolve("x").toString()),
                "--math-pretrain must not be negative");
    }
}
