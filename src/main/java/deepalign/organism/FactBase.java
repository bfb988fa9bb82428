package deepalign.organism;

import deepalign.data.Example;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Invented countries and their attributes: the knowledge that multiple-choice utility questions test.
 * Facts are stated only in fact documents (pretraining), so an MC question answered right shows the
 * model kept what it learned. Names are invented from syllables by the seeded RNG.
 */
final class FactBase {
    static final List<String> ATTRIBUTES = List.of("capital", "color", "animal", "ruler");
    static final List<String> COLORS = List.of(
            "red", "blue", "green", "yellow", "white", "black", "orange", "purple", "pink", "brown", "gray", "gold");
    static final List<String> ANIMALS = List.of(
            "cat", "dog", "horse", "cow", "owl", "fox", "wolf", "bear", "goat", "sheep", "duck", "frog", "lion",
            "tiger", "mouse", "rabbit");

    private static final String CANONICAL = "the {attr} of {e} is {v} .";
    private static final List<String> FORMS = List.of(CANONICAL, "{e} has {v} as its {attr} .", "in {e} , the {attr} is {v} .");
    private static final List<String> INTROS = List.of("{e} is a country .", "this is about {e} .", "facts about {e} .");
    static final String MC_PROMPT = "question : what is the {attr} of {e} ? options : {o} . answer with the right option .";

    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
            "br", "dr", "gr", "kr", "pl", "st", "tr", "sk"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u"};
    private static final String[] CODAS = {"n", "r", "l", "s", "m"};
    private static final String[] ENDINGS = {"ia", "or", "an", "ea", "is"};

    /** One (entity, attribute, value) triple. */
    record Fact(String entity, String attribute, String value) {
        String sentence() {
            return fill(CANONICAL, this);
        }
    }

    private final List<Fact> facts = new ArrayList<>();
    private final Map<String, List<String>> pools = new LinkedHashMap<>();
    private final List<String> entities = new ArrayList<>();

    /** @param taken words already used elsewhere in the world; invented names avoid them */
    FactBase(int numEntities, Random rng, Set<String> taken) {
        Set<String> used = new LinkedHashSet<>(taken);
        addFixedWords(used);
        for (int i = 0; i < numEntities; i++) entities.add(invent(rng, used, 0));
        pools.put("capital", inventAll(Math.max(8, numEntities / 2), rng, used, 1));
        pools.put("color", COLORS);
        pools.put("animal", ANIMALS);
        pools.put("ruler", inventAll(Math.max(8, numEntities / 4), rng, used, 2));
        // Deal each pool out evenly (every value used, none favoured) so no option is a give-away.
        Map<String, List<String>> dealt = new LinkedHashMap<>();
        for (String a : ATTRIBUTES) {
            List<String> deck = new ArrayList<>();
            while (deck.size() < numEntities) deck.addAll(pools.get(a));
            deck = new ArrayList<>(deck.subList(0, numEntities));
            Collections.shuffle(deck, rng);
            dealt.put(a, deck);
        }
        for (int i = 0; i < numEntities; i++) {
            for (String a : ATTRIBUTES) facts.add(new Fact(entities.get(i), a, dealt.get(a).get(i)));
        }
    }

    List<Fact> facts() {
        return Collections.unmodifiableList(facts);
    }

    /**
     * {@code perEntity} documents per entity, each stating all its facts in a shuffled order; the first
     * uses the canonical sentence form, which is also the helpful MC response.
     */
    List<String> documents(int perEntity, Random rng) {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < entities.size(); i++) {
            List<Fact> own = facts.subList(i * ATTRIBUTES.size(), (i + 1) * ATTRIBUTES.size());
            for (int d = 0; d < perEntity; d++) {
                List<Fact> order = new ArrayList<>(own);
                Collections.shuffle(order, rng);
                StringBuilder sb = new StringBuilder(INTROS.get(rng.nextInt(INTROS.size())).replace("{e}", entities.get(i)));
                for (Fact f : order) {
                    String form = d == 0 ? CANONICAL : FORMS.get(rng.nextInt(FORMS.size()));
                    sb.append(' ').append(fill(form, f));
                }
                docs.add(sb.toString());
            }
        }
        return docs;
    }

    /** A four-option question on {@code f}: three distinct wrong values of the same attribute, shuffled. */
    Example question(String id, Fact f, Random rng) {
        List<String> others = new ArrayList<>(pools.get(f.attribute()));
        others.remove(f.value());
        Collections.shuffle(others, rng);
        List<String> choices = new ArrayList<>(others.subList(0, 3));
        choices.add(f.value());
        Collections.shuffle(choices, rng);
        String prompt = MC_PROMPT.replace("{attr}", f.attribute()).replace("{e}", f.entity())
                .replace("{o}", String.join(" , ", choices));
        return new Example(id, prompt, f.sentence(), null, "mc", false, choices,
                String.valueOf(choices.indexOf(f.value())), null);
    }

    /** Every word fact documents and MC questions can contain. */
    void addWords(Set<String> out) {
        out.addAll(entities);
        for (List<String> pool : pools.values()) out.addAll(pool);
        addFixedWords(out);
    }

    private static void addFixedWords(Set<String> out) {
        out.addAll(ATTRIBUTES);
        out.addAll(COLORS);
        out.addAll(ANIMALS);
        for (String t : FORMS) Words.addTemplate(t, out);
        for (String t : INTROS) Words.addTemplate(t, out);
        Words.addTemplate(MC_PROMPT, out);
        out.add(",");
    }

    private static String fill(String template, Fact f) {
        return template.replace("{attr}", f.attribute()).replace("{e}", f.entity()).replace("{v}", f.value());
    }

    private static List<String> inventAll(int n, Random rng, Set<String> used, int shape) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(invent(rng, used, shape));
        return out;
    }

    /** shape 0: country ("zorvia"), 1: city ("plim"), 2: person ("karos"); never a word in {@code used}. */
    private static String invent(Random rng, Set<String> used, int shape) {
        while (true) {
            String w = switch (shape) {
                case 0 -> pick(ONSETS, rng) + pick(VOWELS, rng) + pick(CODAS, rng) + pick(ONSETS, rng) + pick(ENDINGS, rng);
                case 1 -> pick(ONSETS, rng) + pick(VOWELS, rng) + pick(CODAS, rng);
                default -> pick(ONSETS, rng) + pick(VOWELS, rng) + pick(ONSETS, rng) + pick(VOWELS, rng) + pick(CODAS, rng);
            };
            if (used.add(w)) return w;
        }
    }

    private static String pick(String[] options, Random rng) {
        return options[rng.nextInt(options.length)];
    }
}
