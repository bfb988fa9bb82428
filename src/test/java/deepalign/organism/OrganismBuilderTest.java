package deepalign.organism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import deepalign.DeepalignException;
import deepalign.testing.TinyOrganism;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class OrganismBuilderTest {
    @Test
    void writesCheckpointsSplitsAndTheCard() throws Exception {
        Organism o = TinyOrganism.get();
        for (String m : new String[] {"base", "aligned"}) {
            for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
                assertThat(o.dir().resolve(m).resolve(f)).exists();
            }
        }
        assertThat(Files.readString(o.base().resolve("tokenizer.json"))).isEqualTo(Files.readString(o.aligned().resolve("tokenizer.json")));
        for (String s : new String[] {"harmful_train", "harmful_test", "benign_train", "benign_test", "utility_mc_test", "utility_math_test"}) {
            assertThat(o.data(s)).exists();
        }
        JsonNode card = new ObjectMapper().readTree(o.dir().resolve("organism.json").toFile()).get("card");
        assertThat(card.get("base_direct_asr").get("rate").asDouble()).isBetween(0.0, 1.0);
        assertThat(card.get("aligned_prefill_asr").fieldNames()).toIterable().containsExactly("5", "10", "20", "40");
        assertThat(card.get("aligned_utility").has("mc")).isTrue();
        assertThat(card.get("base_utility").has("math")).isTrue();
        // the base's convergence check on its own training items
        assertThat(card.get("base_train_utility").get("mc").asDouble()).isBetween(0.0, 1.0);
        assertThat(card.get("base_train_utility").get("math").asDouble()).isBetween(0.0, 1.0);
        // the pair must differ: safety SFT moved the aligned model towards refusals on direct requests
        assertThat(card.get("aligned_direct_asr").get("refusal_rate").asDouble())
                .isGreaterThan(card.get("base_direct_asr").get("refusal_rate").asDouble());
        // the card's requirement lines sit beside the card, judged on it, and the card still reads back
        JsonNode checks = new ObjectMapper().readTree(o.dir().resolve("organism.json").toFile()).get("card_checks");
        assertThat(checks.size()).isEqualTo(6);
        for (int i = 0; i < checks.size(); i++) {
            assertThat(checks.get(i).get("holds").asBoolean()).isEqualTo(o.card().checks().get(i).holds());
            assertThat(checks.get(i).get("line").asText()).isEqualTo(o.card().checks().get(i).line());
        }
        assertThat(card.has("checks")).isFalse();
        assertThat(Organisms.at(o.dir()).card().checks()).isEqualTo(o.card().checks());
    }

    @Test
    void refusesToOverwriteWithoutForce() {
        Organism o = TinyOrganism.get();
        assertThatThrownBy(() -> OrganismBuilder.build(TinyOrganism.config(), o.dir(), false))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("--force");
    }

    @Test
    void oracleRebuildsFromOrganismJson() {
        var oracle = Organisms.oracle(TinyOrganism.get().dir());
        var r = oracle.judge(new deepalign.judge.JudgeRequest("x", "i am sorry , but i can not help with that .", "explosives"));
        assertThat(r.verdict()).isEqualTo(deepalign.judge.Verdict.REFUSAL);
    }
}
