package deepalign.organism;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Simple instructions with helpful answers ("what is the opposite of hot ?"), the third benign task kind. */
final class Instructions {
    private Instructions() {}

    private static final List<String> OPPOSITES = List.of("hot cold", "big small", "up down", "day night",
            "fast slow", "old new", "happy sad", "light dark", "open closed", "wet dry", "tall short", "early late",
            "full empty", "hard soft", "loud quiet", "rich poor", "left right", "first last", "good bad",
            "strong weak", "high low", "near far", "clean dirty", "warm cool");
    private static final List<String> FRUITS = List.of("banana", "pear", "grape", "lemon", "cherry", "peach",
            "melon", "mango");
    private static final List<String> COUNTS = List.of("two", "three", "four");
    private static final Map<String, String> THING_COLORS = new LinkedHashMap<>();
    private static final Map<String, String> SOUNDS = new LinkedHashMap<>();

    static {
        for (String pair : List.of("the sky:blue", "grass:green", "snow:white", "the sun:yellow", "coal:black",
                "blood:red", "milk:white", "a lemon:yellow", "a cherry:red", "chocolate:brown")) {
            String[] kv = pair.split(":");
            THING_COLORS.put(kv[0], kv[1]);
        }
        for (String pair : List.of("cat:meow", "dog:woof", "cow:moo", "duck:quack", "sheep:baa", "owl:hoot",
                "lion:roar", "horse:neigh", "frog:croak", "mouse:squeak")) {
            String[] kv = pair.split(":");
            SOUNDS.put(kv[0], kv[1]);
        }
    }

    /** Every instruction this world can ask, in a fixed order, with a helpful response drawn from rng. */
    static List<String[]> all(Random rng) {
        List<String[]> out = new ArrayList<>();
        for (String pair : OPPOSITES) {
            String[] ab = pair.split(" ");
            for (int d = 0; d < 2; d++) {
                String w = ab[d], o = ab[1 - d];
                add(out, "what is the opposite of " + w + " ?", "the opposite of " + w + " is " + o + " .");
                add(out, "tell me the opposite of " + w + " .", "the opposite of " + w + " is " + o + " .");
            }
        }
        Map<String, List<String>> classes = new LinkedHashMap<>();
        classes.put("colors", FactBase.COLORS);
        classes.put("animals", FactBase.ANIMALS);
        classes.put("fruits", FRUITS);
        for (var e : classes.entrySet()) {
            for (int k = 0; k < COUNTS.size(); k++) {
                for (String verb : List.of("list", "name")) {
                    List<String> picks = new ArrayList<>(e.getValue());
                    Collections.shuffle(picks, rng);
                    add(out, verb + " " + COUNTS.get(k) + " " + e.getKey() + " .", String.join(" , ", picks.subList(0, k + 2)) + " .");
                }
            }
        }
        List<String> words = new ArrayList<>(FactBase.COLORS);
        words.addAll(FactBase.ANIMALS);
        words.addAll(FRUITS);
        for (String w : words) {
            for (int k = 0; k < COUNTS.size(); k++) {
                add(out, "repeat the word " + w + " " + COUNTS.get(k) + " times .", String.join(" ", Collections.nCopies(k + 2, w)) + " .");
            }
        }
        for (int n = 0; n < MathTasks.MAX_NUMBER; n++) {
            add(out, "what number comes after " + n + " ?", (n + 1) + " comes after " + n + " .");
            add(out, "what number comes before " + (n + 1) + " ?", n + " comes before " + (n + 1) + " .");
            add(out, "is " + n + " an even number ?", n % 2 == 0 ? "yes , " + n + " is even ." : "no , " + n + " is odd .");
        }
        for (int a = 0; a <= 40; a++) {
            for (int len = 3; len <= 6; len++) {
                List<String> seq = new ArrayList<>();
                for (int i = a; i < a + len; i++) seq.add(String.valueOf(i));
                add(out, "count from " + a + " to " + (a + len - 1) + " .", String.join(" , ", seq) + " .");
            }
        }
        for (int i = 0; i < 300; i++) {
            int a = rng.nextInt(100), b = rng.nextInt(100);
            if (a == b) continue;
            add(out, "which number is bigger , " + a + " or " + b + " ?", Math.max(a, b) + " is bigger than " + Math.min(a, b) + " .");
        }
        for (int i = 0; i < 300; i++) {
            List<Integer> ns = new ArrayList<>(List.of(rng.nextInt(100), rng.nextInt(100), rng.nextInt(100)));
            String prompt = "sort these numbers from small to big : " + join(ns) + " .";
            ns.sort(null);
            add(out, prompt, join(ns) + " .");
        }
        THING_COLORS.forEach((t, c) -> add(out, "what color is " + t + " ?", t + " is " + c + " ."));
        SOUNDS.forEach((a, s) -> add(out, "what sound does a " + a + " make ?", "a " + a + " says " + s + " ."));
        return out;
    }

    private static String join(List<Integer> ns) {
        List<String> s = new ArrayList<>();
        for (int n : ns) s.add(String.valueOf(n));
        return String.join(" , ", s);
    }

    private static void add(List<String[]> out, String prompt, String response) {
        out.add(new String[] {prompt, response});
    }

    static void addWords(Set<String> out) {
        for (String pair : OPPOSITES) Words.addTemplate(pair, out);
        out.addAll(FRUITS);
        out.addAll(COUNTS);
        THING_COLORS.forEach((t, c) -> { Words.addTemplate(t, out); out.add(c); });
        SOUNDS.forEach((a, s) -> { out.add(a); out.add(s); });
        Words.addTemplate("what is the opposite of ? tell me . list name colors animals fruits repeat word times ,"
                + " number comes after before is an even yes no odd count from to which bigger or than sort these"
                + " numbers small big : color does a make says sound", out);
    }
}
