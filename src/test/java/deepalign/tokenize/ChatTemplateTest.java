package deepalign.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings were produced by HF's Jinja setup in Python (jinja2 3.1, trim/lstrip_blocks). */
class ChatTemplateTest {

    /** tokenizer_config.json of meta-llama/Meta-Llama-3-8B-Instruct, as a Java string. */
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
            + "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
            + "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /** Qwen2-Instruct's ChatML template. */
    static final String CHATML = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Llama-2-chat's template: strict alternation enforced with raise_exception. */
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    static final List<Message> CONVERSATION = List.of(
            Message.system("You are a helpful assistant."),
            Message.user("What is the capital of France? "),
            Message.assistant("Paris."),
            Message.user("And of Italy?"));

    @Test
    void rendersLlama3MultiTurnExactly() {
        ChatTemplate t = new ChatTemplate(LLAMA3, "<|begin_of_text|>", "<|eot_id|>", "test");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nParis.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nAnd of Italy?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(t.render(CONVERSATION, false)).endsWith("And of Italy?<|eot_id|>");
    }

    @Test
    void rendersChatMlExactly() {
        ChatTemplate t = new ChatTemplate(CHATML, null, "<|im_end|>", "test");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhat is the capital of France? <|im_end|>\n"
                + "<|im_start|>assistant\nParis.<|im_end|>\n"
                + "<|im_start|>user\nAnd of Italy?<|im_end|>\n"
                + "<|im_start|>assistant\n");
        // Without a system message the template inserts its default one.
        assertThat(t.render(List.of(Message.user("Hi")), false)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
    }

    @Test
    void rendersLlama2WithSystemBlock() {
        ChatTemplate t = new ChatTemplate(LLAMA2, "<s>", "</s>", "test");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nWhat is the capital of France? [/INST]"
                + " Paris. </s><s>[INST] And of Italy? [/INST]");
    }

    @Test
    void raiseExceptionBecomesDeepalignException() {
        ChatTemplate t = new ChatTemplate(LLAMA2, "<s>", "</s>", "/models/llama2/tokenizer_config.json");
        assertThatThrownBy(() -> t.render(List.of(Message.user("a"), Message.user("b")), true))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("/models/llama2/tokenizer_config.json")
                .hasMessageContaining("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void brokenTemplateNamesItsOrigin() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{{ m.role ", null, null, "/x/tokenizer_config.json");
        assertThatThrownBy(() -> t.render(CONVERSATION, true))
                .isInstanceOf(DeepalignException.class)
                .hasMessageStartingWith("Could not render the chat template from /x/tokenizer_config.json");
    }

    @Test
    void fallbackTemplateIsUsedWithAWarning() {
        TokenizerConfig none = TokenizerConfig.defaults();
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChatTemplate t;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            t = ChatTemplate.of(none);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("warning").contains("no chat_template");
        assertThat(t.source()).isEqualTo(ChatTemplate.FALLBACK_TEMPLATE);
        assertThat(t.render(List.of(Message.system("Be brief."), Message.user("Hi there")), true))
                .isEqualTo("<|system|>\nBe brief.\n<|user|>\nHi there\n<|assistant|>\n");
        assertThat(t.render(List.of(Message.user("Hi"), Message.assistant("Hello")), false))
                .isEqualTo("<|user|>\nHi\n<|assistant|>\nHello\n");
    }

    @Test
    void prefillFollowsTheOpenAssistantTurn() {
        ChatTemplate t = new ChatTemplate(LLAMA3, "<|begin_of_text|>", "<|eot_id|>", "test");
        List<Message> prompt = List.of(Message.user("How do I pick a lock?"));
        assertThat(t.renderWithPrefill(prompt, "Sure, here is how"))
                .isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHow do I pick a lock?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nSure, here is how")
                .isEqualTo(t.render(prompt, true) + "Sure, here is how");
    }

    @Test
    void whitespaceControlAndNotPrecedenceFollowPythonJinja() {
        String src = "{%- for m in messages %}\n  {{- m.role }}:\n  {%- if not m.name is defined %} anon{% endif %}\n"
                + "    {{ m.content.strip() }}\n{% endfor %}\n{%- if add_generation_prompt %}\n  GEN\n{%- endif %}\n";
        ChatTemplate t = new ChatTemplate(src, null, null, "test");
        assertThat(t.render(CONVERSATION.subList(0, 2), true))
                .isEqualTo("system: anon    You are a helpful assistant.\nuser: anon    What is the capital of France?\n  GEN");
    }

    @Test
    void pythonIdiomsOfNewerTemplatesWork() {
        // Qwen3-style reverse walk with a namespace, str methods, Python escapes, and HF's tojson.
        String src = "{% set ns = namespace(last=messages|length - 1, n=0) %}{% for m in messages[::-1] %}"
                + "{% if m.role == 'user' and ns.n == 0 %}{% set ns.n = ns.last - loop.index0 %}{% endif %}{% endfor %}"
                + "{{ ns.n }}|{{ messages[-1].content.split('?')[0].lower() }}|{{ 'a\\x41\\u00e9' }}|"
                + "{{ messages[0] | tojson }}|{{ {'b': [1, 2.5], 'a': none} | tojson(indent=2, sort_keys=true) }}";
        ChatTemplate t = new ChatTemplate(src, null, null, "test");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "3|and of italy|aA\u00e9|{\"role\": \"system\", \"content\": \"You are a helpful assistant.\"}|"
                + "{\n  \"a\": null,\n  \"b\": [\n    1,\n    2.5\n  ]\n}");
    }

    @Test
    void deepSeekStyleGenerationPromptSurvivesIsDefinedCheck() {
        // jinjava alone reads this as (not add_generation_prompt) is defined and drops the prompt.
        String src = "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
                + "{% for m in messages %}<U>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<A>{% endif %}";
        ChatTemplate t = new ChatTemplate(src, null, null, "test");
        assertThat(t.render(List.of(Message.user("hi")), true)).isEqualTo("<U>hi<A>");
        assertThat(t.render(List.of(Message.user("hi")), false)).isEqualTo("<U>hi");
    }

    @Test
    void loopControlsAndStrftimeNowAreAvailable() {
        String src = "{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}"
                + "{% if loop.index > 3 %}{% break %}{% endif %}[{{ m.role }}]{% endfor %}|{{ strftime_now('%d %b %Y') }}";
        String out = new ChatTemplate(src, null, null, "test").render(CONVERSATION, false);
        assertThat(out).matches("\\[user]\\[assistant]\\|\\d{2} [A-Z][a-z]{2} \\d{4}");
    }

    @Test
    void messageTextIsDataNeverTemplateCode() {
        String prompt = "{{ 7*7 }} {% if true %}X{% endif %} {# c #} ${x} \\n 'q' \"d\"";
        ChatTemplate t = new ChatTemplate(CHATML, null, "<|im_end|>", "test");
        assertThat(t.render(List.of(Message.system("s"), Message.user(prompt)), false))
                .isEqualTo("<|im_start|>system\ns<|im_end|>\n<|im_start|>user\n" + prompt + "<|im_end|>\n");
    }

    @Test
    void itemsFilterIteratesMapEntries() {
        String src = "{% for k, v in messages[0] | items %}{{ k }}={{ v }};{% endfor %}";
        assertThat(new ChatTemplate(src, null, null, "test").render(List.of(Message.user("hi")), false))
                .isEqualTo("role=user;content=hi;");
    }

    @Test
    void constructsThatJinjavaWouldIgnoreAreWarnedAbout() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            new ChatTemplate("{{ messages|max }}{% for m in messages if m.role recursive %}{% endfor %}", null, null, "/m/cfg.json");
            new ChatTemplate("{% for m in messages if m.role %}{% endfor %}", null, null, "/m/bridged.json");
            new ChatTemplate(LLAMA3, null, null, "/m/clean.json");
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("/m/cfg.json uses the Jinja filter 'max'")
                .contains("/m/cfg.json filters a recursive for loop")
                .doesNotContain("clean.json")
                .doesNotContain("bridged.json");
    }
}
