package deepalign.report;

import deepalign.AtomicFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * CSV for per-position tables and other tabular results, meant for pandas or a spreadsheet.
 * RFC 4180 quoting, '\n' line ends, doubles at full precision (Double.toString) so nothing is lost.
 * Non-finite numbers are refused: a report holds only finite numbers.
 */
public final class Csv {
    private Csv() {}

    /** Writes header + rows to {@code file} atomically (temp file + rename). */
    public static void write(Path file, List<String> header, List<? extends List<?>> rows) {
        AtomicFiles.write(file, format(header, rows));
    }

    /** The CSV text for header + rows. */
    public static String format(List<String> header, List<? extends List<?>> rows) {
        if (header.isEmpty()) throw new IllegalArgumentException("A CSV table needs at least one column");
        StringBuilder out = new StringBuilder();
        appendRow(out, header);
        for (int r = 0; r < rows.size(); r++) {
            List<?> row = rows.get(r);
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("CSV row " + r + " has " + row.size() + " cells but the header has "
                        + header.size() + " columns " + header);
            }
            for (int c = 0; c < row.size(); c++) {
                if (row.get(c) instanceof Number n && !Double.isFinite(n.doubleValue())) {
                    throw new IllegalArgumentException("CSV row " + r + " column '" + header.get(c) + "' is "
                            + n + "; reports must only hold finite numbers");
                }
            }
            appendRow(out, row);
        }
        return out.toString();
    }

    private static void appendRow(StringBuilder out, List<?> cells) {
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) out.append(',');
            out.append(escape(cells.get(c)));
        }
        out.append('\n');
    }

    static String escape(Object cell) {
        if (cell == null) return "";
        String s = cell.toString();
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
                || (!s.isEmpty() && (Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))));
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
