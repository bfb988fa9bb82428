package deepalign.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableTest {

    @Test
    void rendersTitleHeaderRuleAndRightAlignedNumbers() {
        String out = Table.of("method", "position", "ASR")
                .title("Prefilling attack")
                .row("base", 5, 0.475)
                .row("deep-aligned", 10, 0.05)
                .render();
        assertThat(out).isEqualTo("""
                Prefilling attack
                method        position    ASR
                ------------  --------  -----
                base                 5  0.475
                deep-aligned        10  0.050
                """);
    }

    @Test
    void formatsDoublesWithConfiguredDecimalsAndMarksMissingValues() {
        String out = Table.of("k", "loss").decimals(1).row("a", 2.24).row("b", Double.NaN).row("c", null).render();
        assertThat(out).isEqualTo("""
                k  loss
                -  ----
                a   2.2
                b   n/a
                c
                """);
    }

    @Test
    void rateStringsCountAsNumbersButWordsStayLeftAligned() {
        String out = Table.of("name", "ASR").row("x", Table.rateCi(0.475, 0.381, 0.57)).row("long name", "5.0%").render();
        assertThat(out).isEqualTo("""
                name                      ASR
                ---------  ------------------
                x          47.5% [38.1, 57.0]
                long name                5.0%
                """);
        String mixed = Table.of("col").row("abc").row(12).render();
        assertThat(mixed).isEqualTo("""
                col
                ---
                abc
                 12
                """);
    }

    @Test
    void noTitleMeansHeaderFirst() {
        assertThat(Table.of("a").row(1).render()).isEqualTo("a\n-\n1\n");
        assertThat(Table.of("a").render()).isEqualTo("a\n-\n");
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        assertThatThrownBy(() -> Table.of("a", "b").row(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 cells").hasMessageContaining("2 columns");
    }

    @Test
    void percentageHelpers() {
        assertThat(Table.pct(0.475)).isEqualTo("47.5%");
        assertThat(Table.pct(0)).isEqualTo("0.0%");
        assertThat(Table.pct(1)).isEqualTo("100.0%");
        assertThat(Table.pct(0.00049)).isEqualTo("0.0%");
        assertThat(Table.pct(Double.NaN)).isEqualTo("n/a");
        assertThat(Table.rateCi(0.475, 0.381, 0.570)).isEqualTo("47.5% [38.1, 57.0]");
        assertThat(Table.rateCi(0.0, 0.0, 0.0362)).isEqualTo("0.0% [0.0, 3.6]");
    }
}
