package deepalign.report;

import deepalign.AtomicFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One self-contained HTML page (inline CSS, images as base64 data URIs) that can be mailed or
 * opened from disk without its neighbours. Blocks appear in the order they are added; all text is
 * HTML-escaped, so model output cannot inject markup.
 *
 * <pre>
 * new HtmlReport().title("Prefilling attack").paragraph("...").image("ASR by position", Plots.pngBytes(chart))
 *     .write(Path.of("out/report.html"));
 * </pre>
 */
public final class HtmlReport {
    private static final String CSS = """
            body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
                   max-width: 1280px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
            h1 { font-size: 1.6em; border-bottom: 2px solid #ddd; padding-bottom: .3em; }
            h2 { font-size: 1.25em; margin-top: 1.6em; }
            table { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
            th, td { border-bottom: 1px solid #e3e3e3; padding: .3em .8em; text-align: left; }
            th { background: #f5f5f5; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            figure { margin: 1.2em 0; }
            figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
            figcaption { color: #555; font-size: .9em; }
            pre { background: #f7f7f7; padding: .8em; overflow-x: auto; white-space: pre-wrap; font-size: .88em; }
            details { margin: .6em 0; border: 1px solid #e3e3e3; border-radius: 4px; padding: .3em .8em; }
            summary { cursor: pointer; color: #444; }
            """;

    private String title = "deepalign report";
    private boolean titleSet;
    private final List<String> blocks = new ArrayList<>();

    /** Page title, shown in the browser tab and as the top heading. */
    public HtmlReport title(String title) {
        this.title = title;
        this.titleSet = true;
        return this;
    }

    public HtmlReport heading(String text) {
        blocks.add("<h2>" + escape(text) + "</h2>");
        return this;
    }

    public HtmlReport paragraph(String text) {
        blocks.add("<p>" + escape(text) + "</p>");
        return this;
    }

    public HtmlReport preformatted(String text) {
        blocks.add("<pre>" + escape(text) + "</pre>");
        return this;
    }

    public HtmlReport table(List<String> headers, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table>\n<thead><tr>");
        for (String h : headers) b.append("<th>").append(escape(h)).append("</th>");
        b.append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() != headers.size()) {
                throw new IllegalArgumentException("HTML table row " + r + " has " + row.size()
                        + " cells but the header has " + headers.size() + " columns " + headers);
            }
            b.append("<tr>");
            for (String cell : row) {
                String text = cell == null ? "" : cell;
                // Same rule as the terminal table: numbers and "47.5% [38.1, 57.0]" align right.
                b.append(Table.isNumeric(text) ? "<td class=\"num\">" : "<td>")
                        .append(escape(text)).append("</td>");
            }
            b.append("</tr>\n");
        }
        blocks.add(b.append("</tbody>\n</table>").toString());
        return this;
    }

    /** A PNG embedded in the page as a data URI, with a caption under it. */
    public HtmlReport image(String caption, byte[] png) {
        String src = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        blocks.add("<figure><img src=\"" + src + "\" alt=\"" + escape(caption) + "\">"
                + "<figcaption>" + escape(caption) + "</figcaption></figure>");
        return this;
    }

    /**
     * Text hidden until the reader clicks its summary. Used for (synthetic) harmful example text,
     * so it is never the first thing on screen.
     */
    public HtmlReport folded(String summary, String text) {
        blocks.add("<details><summary>" + escape(summary) + "</summary><pre>" + escape(text) + "</pre></details>");
        return this;
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(title)).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        if (titleSet) b.append("<h1>").append(escape(title)).append("</h1>\n");
        for (String block : blocks) b.append(block).append('\n');
        return b.append("</body>\n</html>\n").toString();
    }

    /** Writes the page atomically (temp file + rename) as UTF-8. */
    public void write(Path file) {
        AtomicFiles.write(file, render());
    }

    /** Escapes the five characters that matter in element text and quoted attributes. */
    public static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
