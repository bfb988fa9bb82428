package deepalign.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A plain-text table for the terminal: optional title, header row, dashed rule, then rows.
 * Columns are as wide as their widest cell and separated by two spaces; numbers (and strings that
 * read as numbers, such as "47.5%" or "47.5% [38.1, 57.0]") are right-aligned so digits line up.
 *
 * <pre>
 * Table.of("position", "ASR").title("Prefilling").row(0, 0.123).render()
 * </pre>
 */
public final class Table {
    /** A cell that reads as a number: 12, -3.5, 1e-4, 47.5%, 47.5% [38.1, 57.0], n/a. */
    private static final Pattern NUMERIC =
            Pattern.compile("[-+]?(\\d[\\d,]*(\\.\\d*)?([eE][-+]?\\d+)?%?|n/a)( \\[[^\\]]*\\])?");
    private static final String GAP = "  ";

    private final List<String> headers;
    private final List<List<Object>> rows = new ArrayList<>();
    private String title;
    private int decimals = 3;

    private Table(List<String> headers) {
        this.headers = headers;
    }

    public static Table of(String... headers) {
        if (headers.length == 0) throw new IllegalArgumentException("A table needs at least one column");
        return new Table(List.of(headers));
    }

    /** A line printed above the table. */
    public Table title(String title) {
        this.title = title;
        return this;
    }

    /** Digits after the point for Double and Float cells (default 3). */
    public Table decimals(int decimals) {
        if (decimals < 0) throw new IllegalArgumentException("decimals must be >= 0, got " + decimals);
        this.decimals = decimals;
        return this;
    }

    /** Adds a row; cells are formatted at render time (null prints as empty). */
    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("Row has " + cells.length + " cells but the table has "
                    + headers.size() + " columns " + headers);
        }
        rows.add(Arrays.asList(cells.clone()));
        return this;
    }

    public int rowCount() {
        return rows.size();
    }

    public String render() {
        int n = headers.size();
        List<String[]> cells = new ArrayList<>();
        for (List<Object> row : rows) {
            String[] formatted = new String[n];
            for (int c = 0; c < n; c++) formatted[c] = format(row.get(c));
            cells.add(formatted);
        }

        int[] width = new int[n];
        boolean[] numericColumn = new boolean[n];
        for (int c = 0; c < n; c++) {
            width[c] = headers.get(c).length();
            boolean anyValue = false;
            boolean allNumeric = true;
            for (String[] row : cells) {
                width[c] = Math.max(width[c], row[c].length());
                if (!row[c].isEmpty()) {
                    anyValue = true;
                    allNumeric &= isNumeric(row[c]);
                }
            }
            // The header follows its column so it sits above the digits.
            numericColumn[c] = anyValue && allNumeric;
        }

        StringBuilder out = new StringBuilder();
        if (title != null && !title.isEmpty()) out.append(title).append('\n');
        String[] rule = new String[n];
        for (int c = 0; c < n; c++) rule[c] = "-".repeat(width[c]);
        appendLine(out, headers.toArray(String[]::new), width, numericColumn);
        appendLine(out, rule, width, numericColumn);
        for (String[] row : cells) {
            boolean[] right = new boolean[n];
            for (int c = 0; c < n; c++) right[c] = isNumeric(row[c]);
            appendLine(out, row, width, right);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    /** A fraction as a percentage with one decimal: 0.475 -> "47.5%". */
    public static String pct(double fraction) {
        if (!Double.isFinite(fraction)) return "n/a";
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /** A rate and its interval, all fractions: (0.475, 0.381, 0.570) -> "47.5% [38.1, 57.0]". */
    public static String rateCi(double rate, double lo, double hi) {
        return pct(rate) + " [" + pctNumber(lo) + ", " + pctNumber(hi) + "]";
    }

    private static String pctNumber(double fraction) {
        if (!Double.isFinite(fraction)) return "n/a";
        return String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }

    private String format(Object cell) {
        if (cell == null) return "";
        if (cell instanceof Double || cell instanceof Float) {
            double v = ((Number) cell).doubleValue();
            if (!Double.isFinite(v)) return "n/a";
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        if (cell instanceof BigDecimal big) return big.toPlainString();
        return cell.toString();
    }

    /** Shared with HtmlReport so both align the same cells right. */
    static boolean isNumeric(String s) {
        return !s.isEmpty() && NUMERIC.matcher(s).matches();
    }

    private static void appendLine(StringBuilder out, String[] cells, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) line.append(GAP);
            String pad = " ".repeat(width[c] - cells[c].length());
            line.append(right[c] ? pad + cells[c] : cells[c] + pad);
        }
        // No trailing spaces: they make copied output and exact-match tests fragile.
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') end--;
        out.append(line, 0, end).append('\n');
    }
}
