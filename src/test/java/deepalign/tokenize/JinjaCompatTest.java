package deepalign.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JinjaCompatTest {

    @Test
    void unaryNotWrapsTheWholeComparison() {
        assertThat(JinjaCompat.rewrite("{% if not x is defined %}A{% endif %}"))
                .isEqualTo("{% if not (x is defined) %}A{% endif %}");
        assertThat(JinjaCompat.rewrite("{{- 'a' if not m.role == 'user' and b else 'c' -}}"))
                .isEqualTo("{{- 'a' if not (m.role == 'user') and b else 'c' -}}");
        assertThat(JinjaCompat.rewrite("{{ f(not a, b) }}")).isEqualTo("{{ f(not (a), b) }}");
    }

    @Test
    void isNotAndNotInAreLeftAlone() {
        String src = "{% if x is not none and y not in z %}{% endif %}";
        assertThat(JinjaCompat.rewrite(src)).isEqualTo(src);
    }

    @Test
    void stringLiteralsGetPythonEscapes() {
        assertThat(JinjaCompat.rewrite("{{ 'a\\x41\\u00e9\\101\\/' }}")).isEqualTo("{{ 'aA\u00e9A\\\\/' }}");
        assertThat(JinjaCompat.rewrite("{{ \"it's\" }}")).isEqualTo("{{ 'it\\'s' }}");
        assertThat(JinjaCompat.rewrite("{{ 'one\\\ntwo' }}")).isEqualTo("{{ 'onetwo' }}");
        assertThat(JinjaCompat.rewrite("{{ '\\n' }}")).isEqualTo("{{ '\n' }}");
    }

    @Test
    void textOutsideTagsIsKeptButOneTrailingNewlineDropped() {
        assertThat(JinjaCompat.rewrite("not 'x' \\u\r\n{# not a #}\n\n")).isEqualTo("not 'x' \\u\n{# not a #}\n");
    }

    @Test
    void reverseSlicesAndKeywordArguments() {
        assertThat(JinjaCompat.rewrite("{% for m in messages[::-1] %}{% endfor %}"))
                .isEqualTo("{% for m in (messages|py_reverse) %}{% endfor %}");
        assertThat(JinjaCompat.rewrite("{{ m.content.split('x') [::-1][0] }}"))
                .isEqualTo("{{ (m.content.split('x') |py_reverse)[0] }}");
        assertThat(JinjaCompat.rewrite("{% set ns = namespace(a=b|length - 1, c=true) %}"))
                .isEqualTo("{% set ns = namespace(a=(b|length - 1), c=(true)) %}");
        assertThat(JinjaCompat.rewrite("{{ f(a == b) }}")).isEqualTo("{{ f(a == b) }}");
    }
}
