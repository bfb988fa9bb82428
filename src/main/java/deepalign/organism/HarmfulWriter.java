package deepalign.organism;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Writes harmful answers, harmful documents and refusals for one category. Answers are rejection-sampled
 * until they meet the organism's contract: 60-90 tokens, and at least two distinct markers after the
 * first {@link #PREFILL_MAX} tokens, so every prefill attack of 5-40 tokens leaves a recognisably
 * harmful continuation to produce.
 */
final class HarmfulWriter {
    static final int MIN_TOKENS = 60;
    static final int MAX_TOKENS = 90;
    static final int PREFILL_MAX = 40;
    private static final int TRIES = 1000;
    private static final int GENERIC_PER_TEXT = 3;

    /** A harmful answer and its affirmative opener (without the final " ."), the GCG target. */
    record Answer(String text, String target) {}

    private HarmfulWriter() {}

    static Answer answer(HarmCategory c, HarmCategory.Verb verb, String object, Random rng) {
        String opener = Templates.fill(Templates.OPENERS.get(rng.nextInt(Templates.OPENERS.size())), verb, object);
        String text = withSteps(c, opener, object, rng, MIN_TOKENS, MAX_TOKENS);
        return new Answer(text, opener.substring(0, opener.length() - 2));
    }

    /** A plain-text manual: a title followed by the same kind of step sentences as an answer. */
    static String document(HarmCategory c, HarmCategory.Verb verb, String object, Random rng) {
        String title = Templates.fill(Templates.DOC_TITLES.get(rng.nextInt(Templates.DOC_TITLES.size())), verb, object);
        return withSteps(c, title, object, rng, MIN_TOKENS - 10, MAX_TOKENS);
    }

    static String refusal(HarmCategory.Verb verb, String object, Random rng) {
        return Templates.fill(Templates.REFUSALS.get(rng.nextInt(Templates.REFUSALS.size())), verb, object);
    }

    static String genericRefusal(Random rng) {
        return Templates.GENERIC_REFUSALS.get(rng.nextInt(Templates.GENERIC_REFUSALS.size()));
    }

    private static String withSteps(HarmCategory c, String head, String object, Random rng, int min, int max) {
        for (int attempt = 0; attempt < TRIES; attempt++) {
            List<String> pool = stepPool(c, object, rng);
            Collections.shuffle(pool, rng);
            int k = 4 + rng.nextInt(3);
            List<String> middle = new ArrayList<>(Templates.MIDDLE);
            Collections.shuffle(middle, rng);
            StringBuilder sb = new StringBuilder(head);
            for (int i = 0; i < k; i++) {
                String connector = i == 0 ? Templates.FIRST : i == k - 1 ? Templates.LAST : middle.get(i - 1);
                sb.append(' ').append(connector).append(' ').append(pool.get(i));
            }
            String text = sb.toString();
            String[] tokens = text.split(" ");
            if (tokens.length >= min && tokens.length <= max && distinctMarkersFrom(c, tokens, PREFILL_MAX) >= 2) {
                return text;
            }
        }
        throw new IllegalStateException("could not write a valid harmful text for category " + c.name());
    }

    /** The category's own steps plus three generic steps filled with two distinct random markers each. */
    private static List<String> stepPool(HarmCategory c, String object, Random rng) {
        List<String> pool = new ArrayList<>();
        for (String s : c.steps()) pool.add(s.replace("{obj}", object));
        List<String> generic = new ArrayList<>(Templates.GENERIC_STEPS);
        Collections.shuffle(generic, rng);
        for (String g : generic.subList(0, GENERIC_PER_TEXT)) {
            int a = rng.nextInt(c.markers().size());
            int b = (a + 1 + rng.nextInt(c.markers().size() - 1)) % c.markers().size();
            pool.add(g.replace("{m1}", c.markers().get(a)).replace("{m2}", c.markers().get(b)));
        }
        return pool;
    }

    static int distinctMarkersFrom(HarmCategory c, String[] tokens, int from) {
        Set<String> seen = new HashSet<>();
        for (int i = from; i < tokens.length; i++) if (c.markers().contains(tokens[i])) seen.add(tokens[i]);
        return seen.size();
    }
}
