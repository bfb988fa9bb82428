package deepalign.attack;

import deepalign.DeepalignException;
import deepalign.model.LanguageModel;
import deepalign.tokenize.ChatEncoder;
import java.util.Arrays;

/**
 * Token-level layout of one GCG prompt: {@code before} (chat template up to and including the user's
 * prompt), the suffix, {@code after} (the rest of the template up to the open assistant turn), then the
 * target the assistant should start with.
 *
 * <p>The split is found by rendering the chat template with the user content {@code prompt + " " + PLACEHOLDER}
 * and cutting the text at the placeholder; each side is encoded on its own. Encoding the sides separately
 * equals encoding the whole text whenever token boundaries fall at the cut, which holds exactly for
 * word-level (whitespace-split) tokenizers and for the special tokens that delimit chat turns; for BPE
 * tokenizers the trailing space before the cut is left to the suffix's first token (as nanoGCG does), and
 * {@link #retokenizes} reports whether the final suffix, pasted in as text, gives back the same ids.
 */
public record GcgLayout(int[] before, int[] after, int[] target) {
    static final String PLACEHOLDER = "GCGSUFFIXPLACEHOLDER7F3A";

    public GcgLayout {
        if (target.length == 0) throw new IllegalArgumentException("the GCG target has no tokens");
    }

    /** The layout of {@code prompt} with the assistant target {@code target} in {@code model}'s chat template. */
    public static GcgLayout of(LanguageModel model, String prompt, String target) {
        ChatEncoder chat = model.chat();
        String rendered = chat.template().render(ChatEncoder.messages(null, prompt.strip() + " " + PLACEHOLDER), true);
        int at = rendered.indexOf(PLACEHOLDER);
        if (at < 0 || rendered.indexOf(PLACEHOLDER, at + 1) >= 0) {
            throw new DeepalignException("the chat template of " + model.dir() + " does not keep the user message verbatim, so GCG cannot place its suffix");
        }
        int[] before = chat.encodeRendered(rendered.substring(0, at).stripTrailing());
        int[] after = model.tokenizer().encode(rendered.substring(at + PLACEHOLDER.length()));
        int[] tgt = model.tokenizer().encode(target);
        if (tgt.length == 0) throw new DeepalignException("the GCG target '" + target + "' encodes to no tokens");
        String unk = chat.config().unkToken();
        if (unk != null) {
            int unkId = model.tokenizer().tokenToId(unk).orElse(-1);
            if (Arrays.stream(tgt).anyMatch(t -> t == unkId)) {
                throw new DeepalignException("the GCG target '" + target + "' has words outside the vocabulary of " + model.dir());
            }
        }
        return new GcgLayout(before, after, tgt);
    }

    /** The prompt the model answers: before + suffix + after (ends with the open assistant turn). */
    public int[] promptIds(int[] suffix) {
        return concat(before, suffix, after);
    }

    /** The whole scored sequence: prompt + target. */
    public int[] fullIds(int[] suffix) {
        return concat(before, suffix, after, target);
    }

    /** Index in {@link #fullIds} of the first target token. */
    public int targetStart(int suffixLength) {
        return before.length + suffixLength + after.length;
    }

    /** Whether {@code userMessage} (prompt + " " + suffix text) rendered and encoded gives exactly {@link #promptIds}. */
    public boolean retokenizes(LanguageModel model, String userMessage, int[] suffix) {
        return Arrays.equals(model.chat().encodePrompt(null, userMessage), promptIds(suffix));
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
