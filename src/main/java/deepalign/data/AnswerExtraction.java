package deepalign.data;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Final-answer extraction for GSM8K, after lm-evaluation-harness's two filters:
 * <ul>
 *   <li><b>strict</b>: the number after {@code ####} (the format of GSM8K's own answers);</li>
 *   <li><b>flexible</b>: the last number anywhere in the text.</li>
 * </ul>
 * Numbers are normalised before comparison: thousands commas and {@code $} are dropped, a trailing period is
 * dropped, and {@code 18}, {@code 18.0} and {@code 18.00} are equal.
 */
public final class AnswerExtraction {
    private AnswerExtraction() {}

    private static final Pattern STRICT = Pattern.compile("####\\s*\\$?\\s*(-?\\s*\\$?[0-9.,]+)");
    private static final Pattern NUMBER = Pattern.compile("-?\\$?(?:\\d[\\d,]*(?:\\.\\d+)?|\\.\\d+)");
    private static final Pattern PLAIN = Pattern.compile("-?(?:\\d+(?:\\.\\d+)?|\\.\\d+)");

    /** The number after the first {@code ####}, normalised; empty if there is none. */
    public static Optional<String> strict(String text) {
        if (text == null) return Optional.empty();
        Matcher m = STRICT.matcher(text);
        return m.find() ? normalize(m.group(1)) : Optional.empty();
    }

    /** The last number in the text, normalised; empty if there is none. */
    public static Optional<String> flexible(String text) {
        if (text == null) return Optional.empty();
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) last = m.group();
        return last == null ? Optional.empty() : normalize(last);
    }

    /** Strict if the text has a {@code ####} answer, else flexible: the rule deepalign scores GSM8K with. */
    public static Optional<String> extract(String text) {
        Optional<String> s = strict(text);
        return s.isPresent() ? s : flexible(text);
    }

    /** Drops {@code $}, commas, spaces and a trailing period; empty if what remains is not a plain number. */
    public static Optional<String> normalize(String raw) {
        if (raw == null) return Optional.empty();
        String s = raw.replace("$", "").replace(",", "").replaceAll("\\s+", "");
        while (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        return PLAIN.matcher(s).matches() ? Optional.of(s) : Optional.empty();
    }

    /** Numeric equality after normalisation ({@code "1,000"} equals {@code "1000.0"}); false if either is no number. */
    public static boolean numbersEqual(String a, String b) {
        Optional<String> x = normalize(a);
        Optional<String> y = normalize(b);
        if (x.isEmpty() || y.isEmpty()) return false;
        return new BigDecimal(x.get()).compareTo(new BigDecimal(y.get())) == 0;
    }
}
