package deepalign.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected strings are Python's json.dumps(..., ensure_ascii=False) output. */
class PyJsonTest {

    @Test
    void dumpsLikePython() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", Arrays.asList(1, 2.5, true, null));
        m.put("a", "x\"y\\z\n\u0001\u00e9");
        assertThat(PyJson.dumps(m, null, ", ", ": ", false))
                .isEqualTo("{\"b\": [1, 2.5, true, null], \"a\": \"x\\\"y\\\\z\\n\\u0001\u00e9\"}");
        assertThat(PyJson.dumps(m, "  ", ",", ": ", true))
                .isEqualTo("{\n  \"a\": \"x\\\"y\\\\z\\n\\u0001\u00e9\",\n  \"b\": [\n    1,\n    2.5,\n    true,\n    null\n  ]\n}");
        assertThat(PyJson.dumps(List.of(), "  ", ",", ": ", false)).isEqualTo("[]");
        assertThat(PyJson.dumps(Map.of(), null, ", ", ": ", false)).isEqualTo("{}");
    }

    @Test
    void floatsUsePythonRepr() {
        assertThat(PyJson.pyFloat(1.0)).isEqualTo("1.0");
        assertThat(PyJson.pyFloat(0.0001)).isEqualTo("0.0001");
        assertThat(PyJson.pyFloat(0.00001)).isEqualTo("1e-05");
        assertThat(PyJson.pyFloat(1e20)).isEqualTo("1e+20");
        assertThat(PyJson.pyFloat(-1.5e-7)).isEqualTo("-1.5e-07");
        assertThat(PyJson.pyFloat(12345678.9)).isEqualTo("12345678.9");
        assertThat(PyJson.pyFloat(1e16)).isEqualTo("1e+16");
        assertThat(PyJson.pyFloat(0.1)).isEqualTo("0.1");
    }
}
