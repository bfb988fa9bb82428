package deepalign.tokenize;

import deepalign.DeepalignException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Chat prompts as token ids. Prefills are joined at the token level, so that "the first n tokens of
 * a harmful answer" stays exactly n tokens instead of being re-tokenized together with the prompt.
 */
public final class ChatEncoder {

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final TokenizerConfig config;

    public ChatEncoder(Tokenizer tokenizer, ChatTemplate template, TokenizerConfig config) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.config = config;
    }

    /** The checkpoint's own template (or the fallback) for {@code tokenizer}. */
    public static ChatEncoder of(Tokenizer tokenizer, TokenizerConfig config) {
        return new ChatEncoder(tokenizer, ChatTemplate.of(config), config);
    }

    /** [system], user, and an open assistant turn; {@code system} may be null for none. */
    public int[] encodePrompt(String system, String user) {
        return encodeRendered(template.render(messages(system, user), true));
    }

    /** The prompt followed by {@code prefillIds} as the start of the assistant's answer. */
    public int[] encodeWithPrefill(String system, String user, int[] prefillIds) {
        int[] prompt = encodePrompt(system, user);
        int[] out = new int[prompt.length + prefillIds.length];
        System.arraycopy(prompt, 0, out, 0, prompt.length);
        System.arraycopy(prefillIds, 0, out, prompt.length, prefillIds.length);
        return out;
    }

    /** Tokenizes text a template rendered, putting bos in front where {@link #bosPrepended} says so. */
    public int[] encodeRendered(String rendered) {
        int[] ids = tokenizer.encode(rendered);
        return bosPrepended(rendered) ? withBos(ids) : ids;
    }

    /** {@code ids} with bos in front; fails with a sentence when the tokenizer has no bos token. */
    public int[] withBos(int[] ids) {
        int bos = bosId().orElseThrow(() -> new DeepalignException(config.sourceName() + " names no bos_token that "
                + tokenizer.tokenizerJson() + " knows."));
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /**
     * Whether encoding adds bos in front: tokenizer_config.json asks for it (add_bos_token) and the
     * template did not already write bos_token itself (Llama-3 templates do; doubling it hurts).
     */
    public boolean bosPrepended(String rendered) {
        if (!config.addBosToken() || config.bosToken() == null || rendered.startsWith(config.bosToken())) {
            return false;
        }
        if (bosId().isEmpty()) {
            throw new DeepalignException(config.sourceName() + " sets add_bos_token but its bos_token \""
                    + config.bosToken() + "\" is not in " + tokenizer.tokenizerJson() + ".");
        }
        return true;
    }

    public OptionalInt bosId() {
        return config.bosToken() == null ? OptionalInt.empty() : tokenizer.tokenToId(config.bosToken());
    }

    /** Id of eos_token, which for chat checkpoints is the end-of-turn token generation stops at. */
    public OptionalInt eosId() {
        return config.eosToken() == null ? OptionalInt.empty() : tokenizer.tokenToId(config.eosToken());
    }

    public static List<Message> messages(String system, String user) {
        List<Message> messages = new ArrayList<>(2);
        if (system != null) {
            messages.add(Message.system(system));
        }
        messages.add(Message.user(user));
        return messages;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate template() {
        return template;
    }

    public TokenizerConfig config() {
        return config;
    }
}
