package deepalign.tokenize;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Python Jinja's for-loop extras that jinjava gets silently wrong, rewritten tag by tag for one template (one
 * instance per template; it tracks the enclosing for and if blocks):
 * <ul>
 *   <li>A loop filter, {@code {% for x in xs if cond %}}: jinjava reads {@code xs if cond} as a conditional
 *       expression (with {@code x} still undefined) and so loops over nothing. The kept items are collected into a
 *       list first and the loop runs over that list, so that {@code loop.index}, {@code loop.length} and
 *       {@code loop.last} count the kept items only, as in Python:
 *       <pre>
 * {% for x in xs if cond %}  becomes
 * {% set __loop_filtered_1 = [] %}{% for x in xs %}{% if cond %}{% do __loop_filtered_1.append(x) %}{% endif %}{% endfor %}{% for x in __loop_filtered_1 %}
 *       </pre></li>
 *   <li>A for-else, {@code {% for x in xs %}..{% else %}..{% endfor %}}: jinjava renders the else body after every
 *       item and nothing for an empty sequence. The else becomes {@code {% endfor %}{% if (xs)|length == 0 %}} and
 *       the loop's endfor an endif.</li>
 * </ul>
 * The whitespace markers of the original tags stay on the first and last of the tags that replace them.
 */
final class ForLoops {
    /** An enclosing for or if; a for keeps what it iterates, for its else. */
    private static final class Block {
        final boolean isFor;
        final String iterable;
        boolean elseSeen;

        Block(boolean isFor, String iterable) {
            this.isFor = isFor;
            this.iterable = iterable;
        }
    }

    private final Deque<Block> open = new ArrayDeque<>();
    private int bridged;
    private boolean unbridged;

    /** True if a filtered loop could not be rewritten (a recursive one): jinjava will run it wrongly. */
    boolean unbridged() {
        return unbridged;
    }

    /** What a block tag's content (already rewritten by {@link JinjaCompat}, delimiters excluded) becomes. */
    String rewrite(String tag) {
        String t = tag.strip();
        switch (firstWord(t)) {
            case "for" -> {
                String target = null;
                String seq = null;
                int in = topLevelWord(t, "in", 0);
                if (in > 3) {
                    target = t.substring(3, in).strip();
                    seq = t.substring(in + 2).strip();
                }
                int cond = topLevelWord(t, "if", 0);
                if (seq == null || cond < 0) {
                    open.push(new Block(true, seq == null ? null : withoutRecursive(seq)));
                    return tag;
                }
                if (cond < in || topLevelWord(t, "recursive", cond) >= 0) {
                    unbridged = true;
                    open.push(new Block(true, null));
                    return tag;
                }
                String iterable = t.substring(in + 2, cond).strip();
                String test = t.substring(cond + 2).strip();
                String item = target.contains(",") ? "[" + target + "]" : target;
                String list = "__loop_filtered_" + (++bridged);
                open.push(new Block(true, list));
                return " set " + list + " = [] %}{% for " + target + " in " + iterable + " %}{% if " + test + " %}{% do " + list
                        + ".append(" + item + ") %}{% endif %}{% endfor %}{% for " + target + " in " + list + " ";
            }
            case "if" -> open.push(new Block(false, null));
            case "else" -> {
                Block b = open.peek();
                if (b != null && b.isFor && b.iterable != null) {
                    b.elseSeen = true;
                    return " endfor %}{% if (" + b.iterable + ")|length == 0 ";
                }
            }
            case "endfor", "endif" -> {
                Block b = open.poll();
                if (b != null && b.elseSeen) return " endif ";
            }
            default -> { }
        }
        return tag;
    }

    private static String withoutRecursive(String seq) {
        int r = topLevelWord(seq, "recursive", 0);
        return r < 0 ? seq : seq.substring(0, r).strip();
    }

    private static String firstWord(String t) {
        int i = 0;
        while (i < t.length() && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_')) i++;
        return t.substring(0, i);
    }

    /** Index of {@code word} as a whole word outside strings and brackets, at or after {@code from}; -1 if absent. */
    private static int topLevelWord(String s, String word, int from) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = JinjaCompat.skipString(s, i) - 1; // on the closing quote; the loop steps past it
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
}
