package deepalign.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.organism.Organism;
import deepalign.testing.TinyOrganism;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponsesTest {
    @TempDir
    Path tmp;

    @Test
    void datasetResponsesAreTokenizedClosedWithEndOfTurnAndTruncated() {
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModel model = RandomPair.model(tmp, m, 1);
            int eot = model.tokenizer().tokenToId("<|eot_id|>").orElseThrow();
            Example e = new Example("a", "w1 w2", "w3 w4 w5", "w9", null, true, null, null, null);
            Responses.Scored s = Responses.fromDataset(model, List.of(e), Responses.Source.DATASET, 10, "data.jsonl").get(0);
            assertThat(s.response()).containsExactly(tok(model, "w3"), tok(model, "w4"), tok(model, "w5"), eot);
            assertThat(s.prompt()).containsExactly(model.chat().encodePrompt(null, "w1 w2"));
            assertThat(Responses.fromDataset(model, List.of(e), Responses.Source.DATASET, 2, "d").get(0).response())
                    .containsExactly(tok(model, "w3"), tok(model, "w4"));
            assertThat(Responses.fromDataset(model, List.of(e), Responses.Source.REFUSAL, 10, "d").get(0).response())
                    .containsExactly(tok(model, "w9"), eot);

            Example none = Example.benign("q7", "w1", null, null);
            assertThatThrownBy(() -> Responses.fromDataset(model, List.of(none), Responses.Source.DATASET, 10, "data.jsonl"))
                    .isInstanceOf(DeepalignException.class)
                    .hasMessageContaining("data.jsonl")
                    .hasMessageContaining("q7");
        }
    }

    @Test
    void generationsKeepEndOfTurnOnlyWhenTheyStoppedThere() {
        Organism o = TinyOrganism.get();
        List<Example> ex = new ArrayList<>(Splits.organismTest(o).limit(4).harmful());
        ex.addAll(Splits.organismTest(o).limit(4).benign());
        try (NDManager m = NDManager.newBaseManager();
                LanguageModel model = LanguageModel.load(o.aligned(), m)) {
            int max = 12;
            List<Responses.Scored> got = Responses.generated(model, ex, max, 3, "aligned");
            List<int[]> prompts = new ArrayList<>();
            for (Example e : ex) prompts.add(model.chat().encodePrompt(null, e.prompt()));
            List<Generator.Generation> gens = model.generator().generate(prompts, GenerationConfig.greedy(max));
            int eot = model.chat().eosId().orElseThrow();
            boolean sawEos = false;
            boolean sawLength = false;
            for (int i = 0; i < ex.size(); i++) {
                int[] toks = gens.get(i).tokens();
                int[] r = got.get(i).response();
                if (gens.get(i).finishReason().equals("eos")) {
                    sawEos = true;
                    int[] want = Arrays.copyOf(toks, Math.min(toks.length + 1, max));
                    if (toks.length < max) want[toks.length] = eot;
                    assertThat(r).containsExactly(want);
                } else {
                    sawLength = true;
                    assertThat(r).containsExactly(toks);
                }
            }
            assertThat(sawEos || sawLength).isTrue();
        }
    }

    @Test
    void splitsFromOneFileFollowTheHarmfulFlag() throws Exception {
        Path f = tmp.resolve("mixed.jsonl");
        Files.writeString(f, "{\"prompt\":\"a\",\"harmful\":true}\n{\"prompt\":\"b\"}\n{\"prompt\":\"c\",\"harmful\":true}\n");
        Splits s = Splits.fromFile(f);
        assertThat(s.harmful()).extracting(Example::prompt).containsExactly("a", "c");
        assertThat(s.benign()).extracting(Example::prompt).containsExactly("b");
        assertThat(s.limit(1).harmful()).hasSize(1);
        assertThatThrownBy(() -> Splits.fromFiles(tmp.resolve("nope.jsonl"), f)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("nope.jsonl");
    }

    private static int tok(LanguageModel m, String w) {
        return m.tokenizer().tokenToId(w).orElseThrow();
    }
}
