package deepalign.data;

import deepalign.DeepalignException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV reader: comma-separated, fields optionally quoted with {@code "}, a quote inside a
 * quoted field written as {@code ""}, quoted fields may span lines, records end with LF, CRLF or CR.
 * Two relaxations that real dataset files need: blank lines are skipped, and a {@code "} inside an
 * unquoted field is kept as a literal character. A UTF-8 byte-order mark is ignored.
 */
public final class Csv {
    private Csv() {}

    /** One record and the (1-based) line it starts on, for error messages. */
    public record Row(int line, List<String> fields) {
        public Row {
            fields = List.copyOf(fields);
        }

        public String get(int i) {
            return fields.get(i);
        }

        public int size() {
            return fields.size();
        }
    }

    /** A CSV file whose first record names the columns; every row has exactly as many fields. */
    public record Table(Path file, List<String> header, List<Row> rows) {
        public Table {
            header = List.copyOf(header);
            rows = List.copyOf(rows);
        }

        /** Index of a column, matched case-insensitively after trimming. */
        public int column(String name) {
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i).trim().equalsIgnoreCase(name)) return i;
            }
            throw new DeepalignException(file + " has no column '" + name + "' (its columns are " + header + ").");
        }

        public boolean hasColumn(String name) {
            return header.stream().anyMatch(h -> h.trim().equalsIgnoreCase(name));
        }
    }

    /** All records of a file; rows may differ in length. */
    public static List<Row> readRows(Path file) {
        return parse(read(file), file.toString());
    }

    /** All records of a file, each of which must have exactly {@code columns} fields. */
    public static List<Row> readRows(Path file, int columns) {
        List<Row> rows = readRows(file);
        for (Row r : rows) checkWidth(file.toString(), r, columns);
        return rows;
    }

    /** A file with a header line; every data row must have as many fields as the header. */
    public static Table readTable(Path file) {
        List<Row> rows = readRows(file);
        if (rows.isEmpty()) throw new DeepalignException(file + " is empty; expected a CSV header line.");
        List<String> header = rows.get(0).fields();
        List<Row> data = rows.subList(1, rows.size());
        for (Row r : data) checkWidth(file.toString(), r, header.size());
        return new Table(file, header, data);
    }

    /** Parses CSV text; {@code source} names the text in error messages. */
    public static List<Row> parse(String text, String source) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<Row> rows = new ArrayList<>();
        int n = text.length();
        int i = 0;
        int line = 1;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') { // blank line
                i += newlineLength(text, i);
                line++;
                continue;
            }
            int rowLine = line;
            List<String> fields = new ArrayList<>();
            while (true) {
                StringBuilder field = new StringBuilder();
                if (i < n && text.charAt(i) == '"') {
                    int quoteLine = line;
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw new DeepalignException(source + " line " + quoteLine
                                    + ": a quoted field is never closed (unterminated quote).");
                        }
                        char q = text.charAt(i);
                        if (q == '"' && i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                        } else if (q == '"') {
                            i++;
                            break;
                        } else if (q == '\n' || q == '\r') {
                            int len = newlineLength(text, i);
                            field.append(text, i, i + len);
                            i += len;
                            line++;
                        } else {
                            field.append(q);
                            i++;
                        }
                    }
                    if (i < n && !isDelimiter(text.charAt(i))) {
                        throw new DeepalignException(source + " line " + line + ": unexpected text after a closing"
                                + " quote (a quote inside a quoted field must be doubled).");
                    }
                } else {
                    while (i < n && !isDelimiter(text.charAt(i))) field.append(text.charAt(i++));
                }
                fields.add(field.toString());
                if (i < n && text.charAt(i) == ',') {
                    i++;
                    continue;
                }
                if (i < n) { // end of line
                    i += newlineLength(text, i);
                    line++;
                }
                break;
            }
            rows.add(new Row(rowLine, fields));
        }
        return rows;
    }

    private static boolean isDelimiter(char c) {
        return c == ',' || c == '\n' || c == '\r';
    }

    private static int newlineLength(String text, int i) {
        return text.charAt(i) == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? 2 : 1;
    }

    private static void checkWidth(String source, Row r, int columns) {
        if (r.size() != columns) {
            throw new DeepalignException(source + " line " + r.line() + ": expected " + columns
                    + " columns but found " + r.size() + " (an unquoted comma or a missing field?).");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeepalignException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
