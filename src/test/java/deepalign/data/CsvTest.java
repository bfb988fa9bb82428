package deepalign.data;

import deepalign.DeepalignException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvTest {
    @TempDir
    Path tmp;

    @Test
    void quotedFieldsWithCommasEscapedQuotesAndNewlines() {
        String text = "a,b,c\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\r\nplain,,last\n";
        List<Csv.Row> rows = Csv.parse(text, "t.csv");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1).fields()).containsExactly("x, y", "he said \"hi\"", "two\nlines");
        assertThat(rows.get(2).fields()).containsExactly("plain", "", "last");
        assertThat(rows.get(2).line()).isEqualTo(4); // the quoted newline moved it down a line
    }

    @Test
    void trailingEmptyFieldBomBlankLinesAndLiteralQuote() {
        List<Csv.Row> rows = Csv.parse("\uFEFFa,b,\n\n5\" screen,\"\",x", "t.csv");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).fields()).containsExactly("a", "b", "");
        assertThat(rows.get(1).fields()).containsExactly("5\" screen", "", "x");
        assertThat(rows.get(1).line()).isEqualTo(3);
    }

    @Test
    void unterminatedQuoteNamesFileAndLine() {
        assertThatThrownBy(() -> Csv.parse("a,b\nok,fine\n\"open,never closed\nmore\n", "bad.csv"))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("bad.csv line 3")
                .hasMessageContaining("unterminated quote");
    }

    @Test
    void textAfterClosingQuoteIsAnError() {
        assertThatThrownBy(() -> Csv.parse("\"a\"b,c\n", "q.csv"))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("q.csv line 1");
    }

    @Test
    void wrongColumnCountNamesFileAndLine() throws Exception {
        Path f = tmp.resolve("t.csv");
        Files.writeString(f, "goal,target\none,two\nthree,four,five\n");
        assertThatThrownBy(() -> Csv.readTable(f))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining(f + " line 3")
                .hasMessageContaining("expected 2 columns but found 3");
    }

    @Test
    void tableLooksUpColumnsByName() throws Exception {
        Path f = tmp.resolve("t.csv");
        Files.writeString(f, "Goal, Target\nx,y\n");
        Csv.Table t = Csv.readTable(f);
        assertThat(t.rows().get(0).get(t.column("target"))).isEqualTo("y");
        assertThatThrownBy(() -> t.column("Behavior")).isInstanceOf(DeepalignException.class)
                .hasMessageContaining("no column 'Behavior'");
    }
}
