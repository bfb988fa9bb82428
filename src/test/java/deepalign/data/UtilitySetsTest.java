package deepalign.data;

import deepalign.DeepalignException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UtilitySetsTest {
    @TempDir
    Path tmp;

    @Test
    void mmluSubjectFilesAndShots() throws Exception {
        Path test = Files.createDirectories(tmp.resolve("test"));
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        Files.writeString(test.resolve("abstract_algebra_test.csv"), "\"Find 1+1, in Z_2.\",0,1,2,3,A\nWhat is 2?,a,b,two,d,C\n");
        Files.writeString(dev.resolve("abstract_algebra_dev.csv"), "Q1,w,x,y,z,B\nQ2,w,x,y,z,D\n");
        Map<String, List<Example>> bySubject = Mmlu.loadDir(test);
        assertThat(bySubject).containsOnlyKeys("abstract_algebra");
        Example q = bySubject.get("abstract_algebra").get(0);
        assertThat(q).isEqualTo(new Example("mmlu-abstract_algebra-0", "Find 1+1, in Z_2.", null, null, "abstract_algebra",
                false, List.of("0", "1", "2", "3"), "0", null));
        assertThat(Mmlu.shots(dev, "abstract_algebra", 1)).extracting(Example::prompt).containsExactly("Q1");
        assertThat(Mmlu.shots(dev, "abstract_algebra", 5)).hasSize(2);
        assertThat(Mmlu.prompts(test, dev, 2)).hasSize(2);
        assertThatThrownBy(() -> Mmlu.shots(dev, "anatomy", 5)).hasMessageContaining("anatomy_dev.csv");
    }

    @Test
    void mmluBadAnswerLetter() throws Exception {
        Path f = tmp.resolve("x_test.csv");
        Files.writeString(f, "Q,a,b,c,d,A\nQ,a,b,c,d,E\n");
        assertThatThrownBy(() -> Mmlu.loadSubject(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f + " line 2").hasMessageContaining("'E'");
    }

    @Test
    void arcBothLayoutsAndNumericLabels() throws Exception {
        Path f = tmp.resolve("ARC-Challenge-Test.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"id\":\"Q1\",\"question\":{\"stem\":\"Which is a gas?\",\"choices\":[{\"text\":\"ice\",\"label\":\"A\"},"
                        + "{\"text\":\"steam\",\"label\":\"B\"},{\"text\":\"rock\",\"label\":\"C\"}]},\"answerKey\":\"B\"}",
                "{\"id\":\"Q2\",\"question\":{\"stem\":\"Pick four\",\"choices\":[{\"text\":\"one\",\"label\":\"1\"},"
                        + "{\"text\":\"two\",\"label\":\"2\"},{\"text\":\"three\",\"label\":\"3\"},{\"text\":\"four\",\"label\":\"4\"}]},\"answerKey\":\"4\"}",
                "{\"id\":\"Q3\",\"question\":\"HF style?\",\"choices\":{\"text\":[\"no\",\"yes\"],\"label\":[\"A\",\"B\"]},\"answerKey\":\"B\"}"));
        List<Example> ex = Arc.load(f);
        assertThat(ex.get(0)).isEqualTo(new Example("Q1", "Which is a gas?", null, null, "arc", false,
                List.of("ice", "steam", "rock"), "1", null));
        assertThat(ex.get(1).answer()).isEqualTo("3");
        assertThat(ex.get(2).choices()).containsExactly("no", "yes");
        assertThat(ex.get(2).answer()).isEqualTo("1");
    }

    @Test
    void arcUnknownAnswerKey() throws Exception {
        Path f = tmp.resolve("arc.jsonl");
        Files.writeString(f, "{\"question\":{\"stem\":\"s\",\"choices\":[{\"text\":\"a\",\"label\":\"A\"}]},\"answerKey\":\"E\"}\n");
        assertThatThrownBy(() -> Arc.load(f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f + " line 1").hasMessageContaining("'E'");
    }

    @Test
    void gsm8kSmallFileAndCalculatorStripping() throws Exception {
        Path f = tmp.resolve("test.jsonl");
        Files.writeString(f, "{\"question\":\"Eggs?\",\"answer\":\"16-3 = <<16-3=13>>13 eggs.\\n#### 1,300\"}\n");
        List<Example> ex = Gsm8k.load(f);
        assertThat(ex).containsExactly(new Example("gsm8k-0", "Eggs?", "16-3 = <<16-3=13>>13 eggs.\n#### 1,300",
                null, "gsm8k", false, List.of(), "1300", null));
        assertThat(Gsm8k.stripCalculator(ex.get(0).response())).isEqualTo("16-3 = 13 eggs.\n#### 1,300");
        Files.writeString(f, "{\"question\":\"q\",\"answer\":\"no final answer\"}\n");
        assertThatThrownBy(() -> Gsm8k.load(f)).hasMessageContaining(f + " line 1").hasMessageContaining("####");
    }

    @Test
    void gsm8kRealFileEveryGoldIsANumber() {
        Path f = SharedData.require("gsm8k/test.jsonl");
        List<Example> ex = Gsm8k.load(f);
        assertThat(ex).hasSize(1319);
        assertThat(ex).allSatisfy(e -> {
            assertThat(AnswerExtraction.strict(e.response())).hasValue(e.answer());
            assertThat(new java.math.BigDecimal(e.answer())).isNotNull();
            assertThat(Gsm8k.stripCalculator(e.response())).doesNotContain("<<", ">>");
        });
        assertThat(ex.get(0).answer()).isEqualTo("18");
    }
}
