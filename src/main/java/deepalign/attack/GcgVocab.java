package deepalign.attack;

import deepalign.DeepalignException;
import deepalign.model.LanguageModel;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tokens GCG may put in a suffix: ordinary tokens a user could type. Excluded are special tokens
 * (bos, eos, pad, unk, end-of-turn, and every token that decoding with skip-special-tokens drops), ids the
 * embedding matrix has but the tokenizer does not, blank tokens, and tokens that do not survive a
 * decode/re-encode round trip ({@code encode(decode([t])) == [t]}), e.g. partial UTF-8 byte tokens.
 */
public final class GcgVocab {
    private final boolean[] allowed; // over the model's vocabulary (embedding rows)
    private final int count;

    GcgVocab(boolean[] allowed) {
        this.allowed = allowed;
        int n = 0;
        for (boolean a : allowed) if (a) n++;
        this.count = n;
    }

    public static GcgVocab of(LanguageModel model) {
        Tokenizer tok = model.tokenizer();
        Set<Integer> special = new HashSet<>(model.eosIds());
        TokenizerConfig cfg = model.chat().config();
        for (String s : new String[] {cfg.bosToken(), cfg.eosToken(), cfg.padToken(), cfg.unkToken()}) {
            if (s != null) tok.tokenToId(s).ifPresent(special::add);
        }
        boolean[] allowed = new boolean[model.config().vocabSize()];
        int limit = Math.min(allowed.length, tok.vocabSize());
        for (int id = 0; id < limit; id++) {
            if (tok.idToToken(id) == null || special.contains(id)) continue;
            String text = tok.decode(new int[] {id}, true);
            if (text.isBlank()) continue; // special tokens decode to nothing when skipped
            allowed[id] = Arrays.equals(tok.encode(text), new int[] {id});
        }
        GcgVocab v = new GcgVocab(allowed);
        if (v.count == 0) throw new DeepalignException("no token of " + tok.tokenizerJson() + " can be used in a GCG suffix");
        return v;
    }

    public boolean allowed(int id) {
        return id >= 0 && id < allowed.length && allowed[id];
    }

    public int count() {
        return count;
    }

    /** A mask over the model vocabulary: true where the token may be used. */
    boolean[] mask() {
        return allowed;
    }

    /**
     * The token a fresh suffix repeats: {@code preferred} if it encodes to one allowed token, else the first of
     * "!", "x", "the", "a" that does (common words of word-level vocabularies), else the lowest allowed id.
     */
    public int initToken(Tokenizer tok, String preferred) {
        for (String w : List.of(preferred, "!", "x", "the", "a")) {
            int[] ids = tok.encode(w);
            if (ids.length == 1 && allowed(ids[0])) return ids[0];
        }
        for (int id = 0; id < allowed.length; id++) if (allowed[id]) return id;
        throw new IllegalStateException("empty vocabulary");
    }

    /** Whether the suffix, decoded to text and encoded again, gives back the same ids (nanoGCG's filter). */
    public static boolean roundTrips(Tokenizer tok, int[] suffix) {
        return Arrays.equals(tok.encode(tok.decode(suffix, false)), suffix);
    }
}
