package deepalign.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * LmEvalGsm8k against lm-evaluation-harness's scoring reproduced in Python (src/test/python/lmeval_reference.py):
 * 23 responses (strict and flexible formats, dollars, thousands commas, trailing periods and ellipses, negatives,
 * no number) against five gold answers, every filter output and exact_match verdict equal.
 */
class LmEvalGsm8kTest {
    @Test
    void filtersAndExactMatchAgreeWithTheHarness() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(getClass().getResourceAsStream("/lm-eval/gsm8k_reference.json"));
        int n = 0;
        for (JsonNode c : ref.get("cases")) {
            String resp = c.get("response").asText();
            String gold = c.get("reference").asText();
            String strict = LmEvalGsm8k.strictMatch(resp);
            String flexible = LmEvalGsm8k.flexibleExtract(resp);
            assertThat(strict).as("strict of %s", resp).isEqualTo(c.get("strict").asText());
            assertThat(flexible).as("flexible of %s", resp).isEqualTo(c.get("flexible").asText());
            assertThat(LmEvalGsm8k.exactMatch(strict, gold)).as("strict %s vs %s", strict, gold).isEqualTo(c.get("strict_correct").asBoolean());
            assertThat(LmEvalGsm8k.exactMatch(flexible, gold)).as("flexible %s vs %s", flexible, gold).isEqualTo(c.get("flexible_correct").asBoolean());
            n++;
        }
        assertThat(n).isEqualTo(115);
    }

    @Test
    void aStringComparisonNotANumericOne() {
        assertThat(LmEvalGsm8k.exactMatch(LmEvalGsm8k.flexibleExtract("so it is 18.00"), "#### 18")).isFalse();
        assertThat(LmEvalGsm8k.exactMatch(LmEvalGsm8k.flexibleExtract("so it is $1,018."), "#### 1018")).isTrue();
        assertThat(LmEvalGsm8k.strictMatch("####18")).isEqualTo(LmEvalGsm8k.INVALID);
    }
}
