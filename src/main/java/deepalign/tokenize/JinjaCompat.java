package deepalign.tokenize;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rewrites a Jinja template so that jinjava reads it the way Python Jinja does. These differences
 * matter for real chat templates:
 * <ul>
 *   <li>{@code not} binds loosest in Jinja ({@code not x is defined} is {@code not (x is defined)});
 *       jinjava binds it tightest, which silently breaks e.g. DeepSeek-R1's
 *       {@code if not add_generation_prompt is defined}. We add the parentheses.</li>
 *   <li>String literals use Python escapes ({@code \x41}, {@code \u00e9}, backslash-newline);
 *       jinjava knows only a few. We decode them and write the value back with only {@code \\} and
 *       {@code \'} escapes.</li>
 *   <li>Keyword arguments with operators ({@code namespace(last=messages|length - 1)}, Qwen3)
 *       fail in jinjava; their values get parentheses.</li>
 *   <li>{@code seq[::-1]} (Qwen3 walks its messages backwards): jinjava has no slice steps, so it
 *       becomes {@code (seq|py_reverse)}.</li>
 *   <li>Loop filters ({@code for x in xs if cond}), which jinjava reads as a conditional expression
 *       and so loops over nothing, and for-else, whose else body jinjava renders after every item
 *       ({@link ForLoops}).</li>
 *   <li>Macro arguments are left as written (jinjava parses the argument list itself).</li>
 *   <li>Jinja normalises newlines to \n and drops one trailing newline of the template.</li>
 * </ul>
 * Text outside {@code {{ }}} and {@code {% %}} is left alone. Not bridged (ChatTemplateReferenceTest keeps the
 * list): recursive filtered loops, other slice steps (a parse error), Python's printing of True/False/None,
 * {@code loop.previtem}/{@code nextitem}, and {@code is none} on a missing attribute (true here, false in Python).
 */
final class JinjaCompat {

    private static final Set<String> NOT_ENDS = Set.of("and", "or", "if", "else");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "if", "else", "not", "in", "is");

    private JinjaCompat() {
    }

    /**
     * The rewritten template, plus what it uses that jinjava may lack: the filter names it applies,
     * and whether a filtered for loop was left as written ({@code for x in xs if cond recursive}).
     */
    record Result(String source, Set<String> filters, boolean unbridgedLoop) {
    }

    static String rewrite(String template) {
        return compile(template).source();
    }

    static Result compile(String template) {
        Usage usage = new Usage(new TreeSet<>(), new ForLoops());
        String src = template.replace("\r\n", "\n").replace('\r', '\n');
        if (src.endsWith("\n")) {
            src = src.substring(0, src.length() - 1);
        }
        StringBuilder out = new StringBuilder(src.length() + 64);
        int i = 0;
        while (i < src.length()) {
            if (src.startsWith("{#", i)) {
                int end = src.indexOf("#}", i + 2);
                end = end < 0 ? src.length() : end + 2;
                out.append(src, i, end);
                i = end;
            } else if (src.startsWith("{{", i) || src.startsWith("{%", i)) {
                i = tag(src, i, out, usage);
            } else {
                out.append(src.charAt(i++));
            }
        }
        return new Result(out.toString(), usage.filters(), usage.loops().unbridged());
    }

    /** @param loops the template's for-loop rewriting (loop filters, for-else), which follows its blocks */
    private record Usage(Set<String> filters, ForLoops loops) {
    }

    /** Copies one tag starting at {@code start}, rewriting its expression; returns the index after it. */
    private static int tag(String src, int start, StringBuilder out, Usage usage) {
        String close = src.startsWith("{{", start) ? "}}" : "%}";
        int from = start + 2;
        if (from < src.length() && (src.charAt(from) == '-' || src.charAt(from) == '+')) {
            from++;
        }
        int end = from;
        while (end < src.length() && !src.startsWith(close, end)) {
            char c = src.charAt(end);
            end = c == '\'' || c == '"' ? skipString(src, end) : end + 1;
        }
        if (end >= src.length()) { // unterminated: leave it for jinjava to report
            out.append(src, start, src.length());
            return src.length();
        }
        int contentEnd = end;
        if (contentEnd > from && (src.charAt(contentEnd - 1) == '-' || src.charAt(contentEnd - 1) == '+')) {
            contentEnd--;
        }
        String content = src.substring(from, contentEnd);
        out.append(src, start, from);
        if (close.equals("%}") && content.strip().equals("raw")) {
            int endRaw = src.indexOf("endraw", end);
            int after = endRaw < 0 ? src.length() : src.indexOf("%}", endRaw) + 2;
            out.append(src, from, after);
            return after;
        }
        String rewritten = rewriteExpression(content, usage);
        out.append(close.equals("%}") ? usage.loops().rewrite(rewritten) : rewritten);
        out.append(src, contentEnd, end + 2);
        return end + 2;
    }

    /** Index just past the string literal opening at {@code quoteAt} (Python escapes skipped), at most the length. */
    static int skipString(String src, int quoteAt) {
        char quote = src.charAt(quoteAt);
        int i = quoteAt + 1;
        while (i < src.length() && src.charAt(i) != quote) {
            i += src.charAt(i) == '\\' ? 2 : 1;
        }
        return Math.min(i + 1, src.length());
    }

    private record Token(String text, boolean name, boolean space) {
    }

    private static String rewriteExpression(String expr, Usage usage) {
        List<Token> tokens = reverseSlices(tokenize(expr));
        StringBuilder out = new StringBuilder(expr.length() + 8);
        Deque<Wrap> open = new ArrayDeque<>(); // parentheses opened by us, innermost first
        int depth = 0;
        String previous = null; // last non-space token
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            String s = t.text();
            boolean closer = s.equals(")") || s.equals("]") || s.equals("}");
            if (closer || s.equals(",")) {
                close(depth, false, open, out);
            } else if (t.name() && NOT_ENDS.contains(s)) {
                close(depth, true, open, out);
            }
            if (t.name() && "|".equals(previous)) {
                usage.filters().add(s);
            }
            if (closer) {
                depth--;
            } else if (s.equals("(") || s.equals("[") || s.equals("{")) {
                depth++;
            }
            if (t.space() && out.length() > 0 && out.charAt(out.length() - 1) == '(' && !open.isEmpty()
                    && k > 0 && (tokens.get(k - 1).text().equals("not") || tokens.get(k - 1).text().equals("="))) {
                continue; // "not ( x" reads better as "not (x"
            }
            out.append(s);
            if (t.name() && s.equals("not") && !"is".equals(previous) && !"in".equals(next(tokens, k))) {
                out.append(" (");
                open.push(new Wrap(depth, true));
            } else if (s.equals("=") && !declaresMacro(tokens) && isKeywordArgument(tokens, k, depth)) {
                out.append('(');
                open.push(new Wrap(depth, false));
            }
            if (!t.space()) {
                previous = s;
            }
        }
        close(Integer.MIN_VALUE, false, open, out);
        return out.toString();
    }

    /** An opening parenthesis we added: after a unary {@code not}, or around a keyword argument's value. */
    private record Wrap(int depth, boolean not) {
    }

    /**
     * Closes our parentheses at bracket depth {@code depth} or deeper; at and/or/if/else only those
     * after {@code not} (a keyword argument's value runs on to the next comma).
     */
    private static void close(int depth, boolean notsOnly, Deque<Wrap> open, StringBuilder out) {
        int end = out.length();
        while (end > 0 && Character.isWhitespace(out.charAt(end - 1))) {
            end--; // close before trailing spaces: "not (x) %}", not "not (x )%}"
        }
        while (!open.isEmpty() && open.peek().depth() >= depth && (!notsOnly || open.peek().not())) {
            open.pop();
            out.insert(end, ')');
        }
    }

    /**
     * {@code f(name=value)}: jinjava mis-parses a value with operators ({@code n=messages|length - 1}),
     * so the value gets parentheses. True for "=" after a name that follows "(" or "," inside brackets.
     */
    private static boolean isKeywordArgument(List<Token> tokens, int k, int depth) {
        if (depth == 0 || "=".equals(next(tokens, k))) {
            return false;
        }
        int j = previousSolid(tokens, k);
        if (j < 0 || !tokens.get(j).name()) {
            return false;
        }
        int before = previousSolid(tokens, j);
        return before >= 0 && (tokens.get(before).text().equals("(") || tokens.get(before).text().equals(","));
    }

    /** {@code macro name(arg=default)}: jinjava splits the argument list itself and must see it unchanged. */
    private static boolean declaresMacro(List<Token> tokens) {
        int first = tokens.isEmpty() || !tokens.get(0).space() ? 0 : 1;
        return first < tokens.size() && (tokens.get(first).text().equals("macro") || tokens.get(first).text().equals("call"));
    }

    private static int previousSolid(List<Token> tokens, int k) {
        for (int j = k - 1; j >= 0; j--) {
            if (!tokens.get(j).space()) {
                return j;
            }
        }
        return -1;
    }

    private static String next(List<Token> tokens, int k) {
        for (int j = k + 1; j < tokens.size(); j++) {
            if (!tokens.get(j).space()) {
                return tokens.get(j).text();
            }
        }
        return null;
    }

    /** {@code primary[::-1]} becomes {@code (primary|py_reverse)}. */
    private static List<Token> reverseSlices(List<Token> tokens) {
        List<Token> out = new ArrayList<>(tokens);
        for (int k = 0; k < out.size(); k++) {
            int end = reverseSliceEnd(out, k);
            if (end < 0) {
                continue;
            }
            int start = primaryStart(out, k);
            if (start < 0) {
                continue;
            }
            List<Token> replaced = new ArrayList<>(out.subList(0, start));
            replaced.add(new Token("(", false, false));
            replaced.addAll(out.subList(start, k));
            replaced.add(new Token("|py_reverse)", false, false));
            int resume = replaced.size();
            replaced.addAll(out.subList(end + 1, out.size()));
            out = replaced;
            k = resume - 1;
        }
        return out;
    }

    /** Index of the "]" if tokens from {@code k} spell "[::-1]" (spaces allowed), else -1. */
    private static int reverseSliceEnd(List<Token> tokens, int k) {
        String[] want = {"[", ":", ":", "-", "1", "]"};
        int w = 0;
        for (int j = k; j < tokens.size() && w < want.length; j++) {
            Token t = tokens.get(j);
            if (t.space() && w > 0) {
                continue;
            }
            if (!t.text().equals(want[w])) {
                return -1;
            }
            if (++w == want.length) {
                return j;
            }
        }
        return -1;
    }

    /** Start of the postfix expression ending just before index {@code k}: a name, literal, call, subscript or attribute chain. */
    private static int primaryStart(List<Token> tokens, int k) {
        int j = previousSolid(tokens, k);
        int start = -1;
        while (j >= 0) {
            Token t = tokens.get(j);
            String s = t.text();
            if (s.equals(")") || s.equals("]")) {
                j = matchingOpen(tokens, j);
                if (j < 0) {
                    return -1;
                }
                start = j;
                j--;
            } else if (!t.space() && !KEYWORDS.contains(s) && (t.name() || s.startsWith("'") || Character.isDigit(s.charAt(0)))) {
                start = j;
                j--;
                if (j >= 0 && tokens.get(j).text().equals(".")) {
                    j--;
                    continue;
                }
                return start;
            } else {
                return start;
            }
        }
        return start;
    }

    private static int matchingOpen(List<Token> tokens, int close) {
        int depth = 0;
        for (int j = close; j >= 0; j--) {
            String s = tokens.get(j).text();
            if (s.equals(")") || s.equals("]") || s.equals("}")) {
                depth++;
            } else if (s.equals("(") || s.equals("[") || s.equals("{")) {
                if (--depth == 0) {
                    return j;
                }
            }
        }
        return -1;
    }

    /** Names, string literals (re-encoded for jinjava), whitespace runs, and single other chars. */
    private static List<Token> tokenize(String expr) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            int j = i + 1;
            if (Character.isLetter(c) || c == '_') {
                while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || expr.charAt(j) == '_')) {
                    j++;
                }
                tokens.add(new Token(expr.substring(i, j), true, false));
            } else if (Character.isDigit(c)) {
                while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || expr.charAt(j) == '.')) {
                    j++;
                }
                tokens.add(new Token(expr.substring(i, j), false, false));
            } else if (Character.isWhitespace(c)) {
                while (j < expr.length() && Character.isWhitespace(expr.charAt(j))) {
                    j++;
                }
                tokens.add(new Token(expr.substring(i, j), false, true));
            } else if (c == '\'' || c == '"') {
                j = skipString(expr, i);
                String body = expr.substring(i + 1, Math.max(i + 1, j - 1));
                tokens.add(new Token(jinjavaLiteral(PyEscapes.decode(body)), false, false));
            } else {
                tokens.add(new Token(String.valueOf(c), false, false));
            }
            i = j;
        }
        return tokens;
    }

    /** A single-quoted literal jinjava reads back as exactly {@code value}. */
    private static String jinjavaLiteral(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
