package deepalign.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HtmlReportTest {

    @Test
    void escapesEveryTextBlock() {
        String html = new HtmlReport()
                .title("A <b> & C")
                .heading("<h>")
                .paragraph("x < y && y > z")
                .preformatted("<script>alert(1)</script>")
                .table(List.of("<k>"), List.of(List.of("a&b")))
                .folded("<sum>", "Sure, here is <how>")
                .render();
        assertThat(html).contains("<title>A &lt;b&gt; &amp; C</title>", "<h1>A &lt;b&gt; &amp; C</h1>",
                "<h2>&lt;h&gt;</h2>", "<p>x &lt; y &amp;&amp; y &gt; z</p>",
                "<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>", "<th>&lt;k&gt;</th>", "<td>a&amp;b</td>",
                "<details><summary>&lt;sum&gt;</summary><pre>Sure, here is &lt;how&gt;</pre></details>");
        assertThat(html).doesNotContain("<script>", "<b>", "<how>");
        assertThat(HtmlReport.escape("\"'")).isEqualTo("&quot;&#39;");
    }

    @Test
    void embedsImagesAsPngDataUris() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        String html = new HtmlReport().image("ASR \"by\" position", png).render();
        assertThat(html).contains("<img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\"")
                .contains("alt=\"ASR &quot;by&quot; position\"")
                .contains("<figcaption>ASR &quot;by&quot; position</figcaption>");
    }

    @Test
    void isOneSelfContainedPageWithBlocksInOrder() {
        String html = new HtmlReport().title("T").heading("first").paragraph("second").render();
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<meta charset=\"utf-8\">", "<style>")
                .endsWith("</html>\n").doesNotContain("<link", "src=\"http");
        assertThat(html.indexOf("<h1>T</h1>")).isLessThan(html.indexOf("first"));
        assertThat(html.indexOf("first")).isLessThan(html.indexOf("second"));
    }

    @Test
    void numericCellsAreRightAligned() {
        String html = new HtmlReport().table(List.of("m", "ASR"), List.of(List.of("base", "47.5% [38.1, 57.0]"))).render();
        assertThat(html).contains("<td>base</td><td class=\"num\">47.5% [38.1, 57.0]</td>");
        assertThatThrownBy(() -> new HtmlReport().table(List.of("a", "b"), List.of(List.of("x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 0");
    }

    @Test
    void writesAtomicallyAsUtf8(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("report.html");
        new HtmlReport().title("Ünïcode ✓").write(file);
        assertThat(Files.readString(file)).contains("<h1>Ünïcode ✓</h1>");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }
}
