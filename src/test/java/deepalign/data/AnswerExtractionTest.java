package deepalign.data;

import org.junit.jupiter.api.Test;

import static deepalign.data.AnswerExtraction.extract;
import static deepalign.data.AnswerExtraction.flexible;
import static deepalign.data.AnswerExtraction.numbersEqual;
import static deepalign.data.AnswerExtraction.strict;
import static org.assertj.core.api.Assertions.assertThat;

class AnswerExtractionTest {
    @Test
    void strictReadsTheNumberAfterHashes() {
        assertThat(strict("so 9*2=18\n#### 18")).hasValue("18");
        assertThat(strict("#### $1,234.50.")).hasValue("1234.50");
        assertThat(strict("#### -7")).hasValue("-7");
        assertThat(strict("#### 0.5")).hasValue("0.5");
        assertThat(strict("The answer is 18")).isEmpty();
        assertThat(strict("#### unknown")).isEmpty();
        assertThat(strict(null)).isEmpty();
    }

    @Test
    void flexibleReadsTheLastNumber() {
        assertThat(flexible("She has 3 apples and buys 4, so 7 in total.")).hasValue("7");
        assertThat(flexible("It costs $1,000.")).hasValue("1000");
        assertThat(flexible("The change is -2.5 degrees")).hasValue("-2.5");
        assertThat(flexible("1, 2, 3")).hasValue("3");
        assertThat(flexible("no digits here")).isEmpty();
    }

    @Test
    void extractPrefersStrict() {
        assertThat(extract("#### 12\nQuestion: next one has 99")).hasValue("12");
        assertThat(extract("so the answer is 42.")).hasValue("42");
    }

    @Test
    void numbersCompareNumerically() {
        assertThat(numbersEqual("18", "18.00")).isTrue();
        assertThat(numbersEqual("1,000", "$1000")).isTrue();
        assertThat(numbersEqual("-3", "3")).isFalse();
        assertThat(numbersEqual("0.5", ".5")).isTrue();
        assertThat(numbersEqual("abc", "abc")).isFalse();
        assertThat(numbersEqual(null, "1")).isFalse();
    }
}
