package deepalign.tokenize;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as HF chat templates get it: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)}, byte for byte
 * (", " and ": " separators, lower-case \\u escapes), because tool schemas end up in prompts verbatim.
 */
final class PyJson implements AdvancedFilter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        String indent = indentArg == null ? null
                : indentArg instanceof Number n ? " ".repeat(n.intValue()) : indentArg.toString();
        String itemSep = indent == null ? ", " : ",";
        String keySep = ": ";
        if (kwargs.get("separators") instanceof List<?> seps && seps.size() == 2) {
            itemSep = String.valueOf(seps.get(0));
            keySep = String.valueOf(seps.get(1));
        }
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        return dumps(var, indent, itemSep, keySep, sortKeys);
    }

    /** json.dumps; {@code indent} null means one line. */
    static String dumps(Object value, String indent, String itemSep, String keySep, boolean sortKeys) {
        StringBuilder out = new StringBuilder();
        new Writer(out, indent, itemSep, keySep, sortKeys).write(value, 0);
        return out.toString();
    }

    private record Writer(StringBuilder out, String indent, String itemSep, String keySep, boolean sortKeys) {

        void write(Object v, int depth) {
            if (v == null) {
                out.append("null");
            } else if (v instanceof Boolean b) {
                out.append(b ? "true" : "false");
            } else if (v instanceof Double || v instanceof Float) {
                out.append(pyFloat(((Number) v).doubleValue()));
            } else if (v instanceof Number n) {
                out.append(n);
            } else if (v instanceof Map<?, ?> map) {
                writeMap(map, depth);
            } else if (v instanceof Collection<?> c) {
                writeList(new ArrayList<>(c), depth);
            } else if (v instanceof Object[] array) {
                writeList(List.of(array), depth);
            } else {
                string(v.toString());
            }
        }

        private void writeMap(Map<?, ?> map, int depth) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) {
                entries.sort((x, y) -> String.valueOf(x.getKey()).compareTo(String.valueOf(y.getKey())));
            }
            out.append('{');
            for (int i = 0; i < entries.size(); i++) {
                separator(i, depth + 1);
                string(String.valueOf(entries.get(i).getKey()));
                out.append(keySep);
                write(entries.get(i).getValue(), depth + 1);
            }
            newline(depth);
            out.append('}');
        }

        private void writeList(List<?> list, int depth) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                separator(i, depth + 1);
                write(list.get(i), depth + 1);
            }
            newline(depth);
            out.append(']');
        }

        private void separator(int index, int depth) {
            if (index > 0) {
                out.append(itemSep);
            }
            newline(depth);
        }

        private void newline(int depth) {
            if (indent != null) {
                out.append('\n').append(indent.repeat(depth));
            }
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    /** Python's float repr: shortest digits, plain notation for 1e-4 <= |x| < 1e16, else "1e+16" style. */
    static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = exact.precision() - exact.scale() - 1; // position of the leading digit
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = exact.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String sign = d < 0 ? "-" : "";
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
