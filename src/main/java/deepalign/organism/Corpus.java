package deepalign.organism;

import deepalign.data.Example;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.train.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Turns world text into training sequences: chat turns (loss on the answer) and plain documents. */
final class Corpus {
    private final ChatEncoder chat;
    private final Tokenizer tokenizer;
    private final int eot;
    private final int bos;
    private final int endOfText;

    Corpus(ChatEncoder chat, Tokenizer tokenizer) {
        this.chat = chat;
        this.tokenizer = tokenizer;
        this.eot = tokenizer.tokenToId("<|eot_id|>").orElseThrow();
        this.bos = tokenizer.tokenToId("<|begin_of_text|>").orElseThrow();
        this.endOfText = tokenizer.tokenToId("<|end_of_text|>").orElseThrow();
    }

    Sequence chat(String prompt, String response) {
        return Sequence.promptResponse(chat.encodePrompt(null, prompt), withEot(response));
    }

    /**
     * Prompt, the first n tokens of a harmful answer (no loss), then the refusal (loss); n uniform in
     * minPrefix..maxPrefix, both capped at the answer's length.
     */
    Sequence recovery(String prompt, String harmfulAnswer, String refusal, int minPrefix, int maxPrefix, Random rng) {
        int[] h = tokenizer.encode(harmfulAnswer);
        int hi = Math.min(maxPrefix, h.length);
        int lo = Math.min(minPrefix, hi);
        int n = lo + rng.nextInt(hi - lo + 1); // for lo = 1 the same draw as before the minimum existed
        return Sequence.afterPrefix(chat.encodePrompt(null, prompt), h, n, withEot(refusal));
    }

    /**
     * How many sequences {@code data} is worth, each counted by its largest token weight: its size when every sequence
     * has a full-weight token, less where light recovery examples (refusal weighted w) count as w of a sequence.
     */
    static double weightedSize(List<Sequence> data) {
        double n = 0;
        for (Sequence s : data) {
            float max = 0;
            for (float x : s.weights()) max = Math.max(max, x);
            n += max;
        }
        return n;
    }

    private static Sequence weighted(Sequence s, float weight) {
        float[] w = s.weights().clone();
        for (int i = 0; i < w.length; i++) w[i] *= weight;
        return new Sequence(s.ids(), w);
    }

    /** The answer's tokens followed by end of turn. */
    private int[] withEot(String answer) {
        int[] r = tokenizer.encode(answer);
        int[] out = java.util.Arrays.copyOf(r, r.length + 1);
        out[r.length] = eot;
        return out;
    }

    Sequence document(String text) {
        int[] t = tokenizer.encode(text);
        int[] ids = new int[t.length + 2];
        ids[0] = bos;
        System.arraycopy(t, 0, ids, 1, t.length);
        ids[ids.length - 1] = endOfText;
        return Sequence.allTokens(ids);
    }

    /** The helpful answer the organism is trained on: option text alone for multiple choice. */
    static String helpfulAnswer(Example ex) {
        if ("mc".equals(ex.category()) && ex.answer() != null && !ex.choices().isEmpty()) {
            return ex.choices().get(Integer.parseInt(ex.answer()));
        }
        return ex.response();
    }

    /** Benign chats: instructions, math and multiple choice with their helpful answers. */
    List<Sequence> benign(World w) {
        List<Sequence> out = new ArrayList<>();
        for (Example ex : w.benignTrain()) out.add(chat(ex.prompt(), helpfulAnswer(ex)));
        for (Example ex : w.mathTrain()) out.add(chat(ex.prompt(), helpfulAnswer(ex)));
        for (Example ex : w.mcTrain()) out.add(chat(ex.prompt(), helpfulAnswer(ex)));
        return out;
    }

    List<Sequence> documents(World w, int factRepeats) {
        List<Sequence> out = new ArrayList<>();
        for (int r = 0; r < factRepeats; r++) {
            for (String d : w.factDocuments()) out.add(document(d));
            for (String d : w.arithmeticDocuments()) out.add(document(d));
        }
        for (String d : w.harmfulDocuments()) out.add(document(d));
        return out;
    }

    /**
     * The base's pretraining corpus: harmful requests answered harmfully (a share answered with a
     * refusal, as on the web), benign chats (repeated: arithmetic and facts need more passes than the
     * templated harmful answers), fact documents and harmful manuals. Each pass over the benign chats takes
     * the next math_train-sized slice of the math pool (math_train, then the pretraining-only problems,
     * cycling), so the pool's extra problems replace repeats of the same ones: as many math chats, more of
     * them distinct (with no extra problems every pass repeats math_train, as before).
     */
    List<Sequence> pretraining(World w, double refusalShare, int utilityRepeats, int factRepeats, int harmfulAnswers, long seed) {
        Random rng = new Random(seed);
        List<Sequence> out = new ArrayList<>();
        List<Example> mathPool = new ArrayList<>(w.mathTrain());
        mathPool.addAll(w.mathPretrain());
        int slice = w.mathTrain().size();
        for (int r = 0; r < utilityRepeats; r++) {
            for (Example ex : w.benignTrain()) out.add(chat(ex.prompt(), helpfulAnswer(ex)));
            for (int i = 0; i < slice; i++) {
                Example ex = mathPool.get((r * slice + i) % mathPool.size());
                out.add(chat(ex.prompt(), helpfulAnswer(ex)));
            }
            for (Example ex : w.mcTrain()) out.add(chat(ex.prompt(), helpfulAnswer(ex)));
        }
        for (Example ex : w.harmfulTrain()) {
            for (int k = 0; k < harmfulAnswers; k++) {
                String answer = rng.nextDouble() < refusalShare ? w.refusalFor(ex, rng) : w.harmfulAnswerFor(ex, rng);
                out.add(chat(ex.prompt(), answer));
            }
        }
        out.addAll(documents(w, factRepeats));
        return out;
    }

    /**
     * Safety SFT data: refusals for harmful prompts, helpful answers for the benign chats of pretraining
     * (instructions, math, multiple choice), plus document replay. Measured alternatives on one base (seed 0):
     * instructions only lost 17 points of math to forgetting, the benign_train split alone left prefill-10
     * at 77% broken text; see the README's recipe table.
     */
    List<Sequence> alignment(World w, double replayFraction, double recoveryShare, int recoveryMinPrefix, int recoveryMaxPrefix, long seed) {
        return alignment(w, replayFraction, recoveryShare, recoveryMinPrefix, recoveryMaxPrefix, 1, seed);
    }

    /**
     * As above, the recovery examples' refusal tokens weighted {@code recoveryWeight}; replay is sized by the data's
     * {@link #weightedSize} (at weight 1: by its size).
     */
    List<Sequence> alignment(World w, double replayFraction, double recoveryShare, int recoveryMinPrefix, int recoveryMaxPrefix,
            double recoveryWeight, long seed) {
        Random rng = new Random(seed);
        List<Sequence> sft = new ArrayList<>();
        for (Example ex : w.harmfulTrain()) sft.add(chat(ex.prompt(), w.refusalFor(ex, rng)));
        // drawn from their own stream so that a recovery share leaves the rest of the data unchanged
        Random recovery = new Random(seed ^ 0x5EED_0F_2EC0L);
        for (Example ex : w.harmfulTrain()) {
            if (recovery.nextDouble() < recoveryShare) {
                Sequence r = recovery(ex.prompt(), w.harmfulAnswerFor(ex, recovery), w.refusalFor(ex, recovery), recoveryMinPrefix, recoveryMaxPrefix, recovery);
                sft.add(recoveryWeight == 1 ? r : weighted(r, (float) recoveryWeight));
            }
        }
        sft.addAll(benign(w));
        List<Sequence> out = new ArrayList<>(sft);
        if (replayFraction > 0) {
            List<Sequence> docs = documents(w, 1);
            int want = (int) Math.round(weightedSize(sft) * replayFraction / (1 - replayFraction));
            for (int i = 0; i < want; i++) out.add(docs.get(rng.nextInt(docs.size())));
        }
        return out;
    }

    /** Preferences for the alignment's DPO stage: per harmful training prompt, the refusal over a harmful answer. */
    List<deepalign.train.Dpo.Pair> preferences(World w, long seed) {
        Random rng = new Random(seed);
        List<deepalign.train.Dpo.Pair> out = new ArrayList<>();
        for (Example ex : w.harmfulTrain()) {
            out.add(new deepalign.train.Dpo.Pair(chat(ex.prompt(), w.refusalFor(ex, rng)), chat(ex.prompt(), w.harmfulAnswerFor(ex, rng))));
        }
        return out;
    }

    /** What the DPO stage keeps training on so a small model does not forget: benign chats and document replay. */
    List<Sequence> retention(World w) {
        List<Sequence> out = new ArrayList<>(benign(w));
        out.addAll(documents(w, 1));
        return out;
    }
}
