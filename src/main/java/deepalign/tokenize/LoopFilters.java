package deepalign.tokenize;

/**
 * Python Jinja's loop filter, {@code {% for x in xs if cond %}}, for jinjava, which reads {@code xs if cond} as a
 * conditional expression (with {@code x} still undefined) and so loops over nothing. The filtered items are
 * collected into a list first and the loop runs over that list, so that {@code loop.index}, {@code loop.length} and
 * {@code loop.last} count the kept items only, as in Python:
 *
 * <pre>
 * {% for x in xs if cond %}  becomes
 * {% set __loop_filtered_1 = [] %}{% for x in xs %}{% if cond %}{% do __loop_filtered_1.append(x) %}{% endif %}{% endfor %}{% for x in __loop_filtered_1 %}
 * </pre>
 * The whitespace markers of the original tag stay on the first and last of these tags.
 */
final class LoopFilters {
    private LoopFilters() {
    }

    /** True if {@code tag} (a block tag's content, already rewritten by {@link JinjaCompat}) is a filtered for loop. */
    static boolean isFiltered(String tag) {
        return isFor(tag) && topLevelWord(tag, "if", 0) >= 0;
    }

    /**
     * The tags that replace a filtered for loop's content (without the outer delimiters), or null when
     * {@code tag} is not one or cannot be bridged (a {@code recursive} loop).
     *
     * @param counter number of loops bridged so far in this template; incremented
     */
    static String bridge(String tag, int[] counter) {
        if (!isFiltered(tag)) return null;
        String t = tag.strip();
        int in = topLevelWord(t, "in", 0);
        int cond = topLevelWord(t, "if", 0);
        if (in < 0 || cond < in || topLevelWord(t, "recursive", cond) >= 0) return null;
        String target = t.substring(3, in).strip();
        String seq = t.substring(in + 2, cond).strip();
        String test = t.substring(cond + 2).strip();
        String item = target.contains(",") ? "[" + target + "]" : target;
        String list = "__loop_filtered_" + (++counter[0]);
        return "set " + list + " = [] %}{% for " + target + " in " + seq + " %}{% if " + test + " %}{% do " + list + ".append(" + item
                + ") %}{% endif %}{% endfor %}{% for " + target + " in " + list;
    }

    private static boolean isFor(String tag) {
        String t = tag.strip();
        return t.startsWith("for") && t.length() > 3 && Character.isWhitespace(t.charAt(3));
    }

    /** Index of {@code word} as a whole word outside strings and brackets, at or after {@code from}; -1 if absent. */
    private static int topLevelWord(String s, String word, int from) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipString(s, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && i >= from && s.startsWith(word, i) && boundary(s, i - 1) && boundary(s, i + word.length())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean boundary(String s, int i) {
        return i < 0 || i >= s.length() || !(Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_');
    }

    /** Index of the closing quote of the literal opening at {@code quoteAt}. */
    private static int skipString(String s, int quoteAt) {
        char quote = s.charAt(quoteAt);
        int i = quoteAt + 1;
        while (i < s.length() && s.charAt(i) != quote) i += s.charAt(i) == '\\' ? 2 : 1;
        return i;
    }
}
