package deepalign.tokenize;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Jinja filters that jinjava lacks and chat templates use (tojson is in {@link PyJson}). */
final class PyFilters {

    private PyFilters() {
    }

    /** What {@link JinjaCompat} turns {@code seq[::-1]} into: a reversed copy of a string or a sequence. */
    static final class Reverse implements Filter {
        @Override
        public String getName() {
            return "py_reverse";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var instanceof CharSequence s) {
                return new StringBuilder(s).reverse().toString();
            }
            List<Object> items = new ArrayList<>();
            if (var instanceof Iterable<?> it) {
                it.forEach(items::add);
            } else if (var instanceof Object[] array) {
                items.addAll(List.of(array));
            }
            Collections.reverse(items);
            return items;
        }
    }

    /** Jinja's {@code items} filter (Llama 3.1 iterates tool arguments with it): a map's entries. */
    static final class Items implements Filter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return var instanceof Map<?, ?> map ? new ArrayList<>(map.entrySet()) : List.of();
        }
    }
}
