package deepalign.eval;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K scored exactly as lm-evaluation-harness's {@code gsm8k} task (its yaml, version 3.0) scores it, so that
 * numbers compare with published ones:
 * <ul>
 *   <li><b>strict-match</b>: the first match of {@code #### (\-?[0-9\.\,]+)}, else {@code [invalid]};</li>
 *   <li><b>flexible-extract</b>: the last match of {@code (-?[$0-9.,]{2,})|(-?[0-9]+)} (its non-empty group), else
 *       {@code [invalid]};</li>
 *   <li><b>exact_match</b> of that prediction against the gold {@code answer} text, after deleting {@code ,},
 *       {@code $}, everything up to the last {@code "#### "} and one trailing period from both, and lower-casing.</li>
 * </ul>
 * A string comparison, not a numeric one: "18.00" does not match "18", and an ellipsis after the answer makes the
 * flexible filter pick ".." (src/test/python/lmeval_reference.py reproduces the harness; GSM8K fixtures check both
 * agree).
 */
public final class LmEvalGsm8k {
    public static final String INVALID = "[invalid]";

    // UNIX_LINES: Python's $ ends a line only at \n
    private static final Pattern STRICT = Pattern.compile("#### (\\-?[0-9\\.\\,]+)", Pattern.UNIX_LINES);
    private static final Pattern FLEXIBLE = Pattern.compile("(-?[$0-9.,]{2,})|(-?[0-9]+)", Pattern.UNIX_LINES);
    private static final List<Pattern> IGNORE = List.of(Pattern.compile(","), Pattern.compile("\\$"),
            Pattern.compile("(?s).*#### ", Pattern.UNIX_LINES), Pattern.compile("\\.$", Pattern.UNIX_LINES));

    private LmEvalGsm8k() {}

    /** The strict-match filter's prediction. */
    public static String strictMatch(String response) {
        Matcher m = STRICT.matcher(response == null ? "" : response);
        return m.find() ? m.group(1).strip() : INVALID;
    }

    /** The flexible-extract filter's prediction. */
    public static String flexibleExtract(String response) {
        Matcher m = FLEXIBLE.matcher(response == null ? "" : response);
        String last = null;
        while (m.find()) last = m.group(1) != null ? m.group(1) : m.group(2);
        return last == null ? INVALID : last.strip();
    }

    /** exact_match with the task's regexes_to_ignore and ignore_case; {@code reference} is the gold answer text. */
    public static boolean exactMatch(String prediction, String reference) {
        return clean(prediction).equals(clean(reference));
    }

    private static String clean(String s) {
        for (Pattern p : IGNORE) s = p.matcher(s).replaceAll("");
        return s.toLowerCase(Locale.ROOT);
    }
}
