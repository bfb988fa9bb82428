package deepalign.tokenize;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import deepalign.DeepalignException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * Renders a conversation the way HF transformers' {@code tokenizer.apply_chat_template(...,
 * tokenize=False)} does: Jinja with trim_blocks and lstrip_blocks, the variables {@code messages},
 * {@code bos_token}, {@code eos_token}, {@code add_generation_prompt}, and the helpers
 * {@code raise_exception}, {@code strftime_now} and {@code tojson}.
 *
 * <p>jinjava differs from Python Jinja in places; {@link JinjaCompat} and {@link PyMethods} bridge
 * the ones real chat templates hit. Still different: loop filters ({@code for x in xs if c}),
 * slice steps other than {@code [::-1]}, and True/False/None printed in lower case or empty.
 */
public final class ChatTemplate {

    /** Used when a checkpoint ships no template (base models): role headers on their own lines. */
    public static final String FALLBACK_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

    private static final Jinjava JINJA = newEngine();

    private final String source;
    private final String compatSource; // source as jinjava must read it to behave like Python Jinja
    private final String bosToken;
    private final String eosToken;
    private final String origin;

    /**
     * @param source   Jinja template text
     * @param bosToken value of {@code bos_token} (null renders as empty, like an undefined variable)
     * @param eosToken value of {@code eos_token}
     * @param origin   where the template came from, for error messages (e.g. the config file)
     */
    public ChatTemplate(String source, String bosToken, String eosToken, String origin) {
        this.source = source;
        JinjaCompat.Result compat = JinjaCompat.compile(source);
        this.compatSource = compat.source();
        warnAboutGaps(compat, origin);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.origin = origin;
    }

    /** The checkpoint's template, or the fallback (with a warning on stderr) when it has none. */
    public static ChatTemplate of(TokenizerConfig config) {
        if (config.chatTemplate() == null) {
            System.err.println("warning: " + config.sourceName() + " has no chat_template; using the plain "
                    + "<|system|>/<|user|>/<|assistant|> fallback template.");
            return fallback(config);
        }
        return new ChatTemplate(config.chatTemplate(), config.bosToken(), config.eosToken(), config.sourceName());
    }

    public static ChatTemplate fallback(TokenizerConfig config) {
        return new ChatTemplate(FALLBACK_TEMPLATE, config.bosToken(), config.eosToken(), "the built-in fallback chat template");
    }

    /** The conversation as the model sees it; with {@code addGenerationPrompt} it ends in an open assistant turn. */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", turns);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        vars.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = JINJA.renderForResult(compatSource, vars);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw failure(error);
            }
        }
        return result.getOutput();
    }

    /**
     * The prompt with the assistant turn opened and {@code assistantPrefill} already written in it:
     * the prefill attack's "prompt + first n tokens of a harmful answer", as text.
     */
    public String renderWithPrefill(List<Message> messages, String assistantPrefill) {
        return render(messages, true) + assistantPrefill;
    }

    public String source() {
        return source;
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    private DeepalignException failure(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaised raised) {
                return new DeepalignException("The chat template from " + origin
                        + " rejected the conversation: " + raised.getMessage());
            }
        }
        String line = error.getLineno() > 0 ? " at template line " + error.getLineno() : "";
        return new DeepalignException("Could not render the chat template from " + origin + line + ": "
                + error.getMessage());
    }

    /**
     * jinjava passes values through unknown filters and mis-reads recursive loop filters without a word; say so
     * on stderr, since a template may only use them in branches we never take (tool calls).
     */
    private static void warnAboutGaps(JinjaCompat.Result compat, String origin) {
        for (String filter : compat.filters()) {
            if (JINJA.getGlobalContext().getFilter(filter) == null) {
                System.err.println("warning: the chat template from " + origin + " uses the Jinja filter '"
                        + filter + "', which deepalign's template engine lacks; it will be ignored.");
            }
        }
        if (compat.unbridgedLoop()) {
            System.err.println("warning: the chat template from " + origin + " filters a recursive for loop "
                    + "(for x in xs if ... recursive), which deepalign's template engine cannot run as Python Jinja does.");
        }
    }

    /** What {@code raise_exception(msg)} throws; jinjava wraps it, {@link #failure} digs it out. */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    /** {@code raise_exception(msg)} in templates; public only so that jinjava can call it. */
    public static String raiseException(String message) {
        throw new TemplateRaised(message);
    }

    /** {@code strftime_now(fmt)} in templates: local time, Python strftime pattern (public for jinjava). */
    public static String strftimeNow(String format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), format, Locale.ENGLISH);
    }

    private static Jinjava newEngine() {
        // Python str/dict methods first, then jinjava's usual resolution.
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                // Message text is data: jinjava would otherwise run "{{ ... }}" found in a user prompt.
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        // Python Jinja semantics: `a + b | trim` filters b only, `{{-` trims, etc.
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "strftime_now", ChatTemplate.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerFilter(new PyJson());
        jinjava.getGlobalContext().registerFilter(new PyFilters.Reverse());
        jinjava.getGlobalContext().registerFilter(new PyFilters.Items());
        return jinjava;
    }
}
