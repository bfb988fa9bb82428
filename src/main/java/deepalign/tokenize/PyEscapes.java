package deepalign.tokenize;

/** Python's "unicode-escape" decoding, which Jinja applies to the body of every string literal. */
final class PyEscapes {

    private PyEscapes() {
    }

    static String decode(String body) {
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) {
                out.append(c);
                i++;
                continue;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case '\n' -> { } // line continuation
                case '\\', '\'', '"' -> out.append(e);
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + len <= body.length() && body.substring(i, i + len).matches("[0-9a-fA-F]+")) {
                        out.appendCodePoint(Integer.parseInt(body.substring(i, i + len), 16));
                        i += len;
                    } else {
                        out.append('\\').append(e);
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') { // up to three octal digits
                        int j = i - 1;
                        while (j < body.length() && j < i + 2 && body.charAt(j) >= '0' && body.charAt(j) <= '7') {
                            j++;
                        }
                        out.appendCodePoint(Integer.parseInt(body.substring(i - 1, j), 8));
                        i = j;
                    } else { // unknown escapes stay as written
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }
}
