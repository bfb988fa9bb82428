package deepalign.organism;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * GSM8K-like word problems with one or two operations. Operands are small (starting amounts up to 15,
 * changes up to 9, boxes of at most 5 x 6), every number is one token and the answer lies in 0..30; the
 * worked answer ends with "#### N" as GSM8K's does. The ranges bound the arithmetic facts a base must learn
 * (about 800 drilled equations): with starts up to 25 and changes up to 12 (1,600 facts) the default base
 * reached 76% math on seed 0 and 56% on seed 1 in its pretraining budget, and safety SFT, which keeps
 * training on the same drills, raised it by up to 9 points (measured, see the README).
 */
final class MathTasks {
    static final int MAX_NUMBER = 99;
    static final int MAX_ANSWER = 30;
    static final int MAX_START = 15;
    static final int MAX_CHANGE = 9;
    /** "together": a first amount up to 10 and a difference up to 8, so the second amount is at most 18. */
    static final int TOGETHER_A = 10;
    static final int TOGETHER_B = 8;

    private static final List<String> HE = List.of("tom", "ben", "sam", "max", "leo", "jack");
    private static final List<String> SHE = List.of("anna", "lucy", "mia", "emma", "zoe", "lily");
    private static final List<String> ITEMS = List.of("apples", "pencils", "books", "marbles", "cookies", "stickers",
            "eggs", "balloons", "toys", "flowers", "candies", "crayons");

    /** Changes to a quantity: template (with {pron} and {n}) and sign. */
    private record Change(String text, int sign) {}

    private static final List<Change> CHANGES = List.of(
            new Change("buys {n} more", 1), new Change("finds {n} more", 1), new Change("gets {n} more from a friend", 1),
            new Change("gives away {n}", -1), new Change("loses {n}", -1), new Change("gives {n} to a friend", -1));

    private static final String QUESTION = "how many {items} does {name} have now ?";
    private static final String BOXES = "{name} has {a} boxes of {items} . each box holds {b} {items} .";
    private static final String COMPARE = "{name} has {a} {items} . {other} has {b} more {items} than {name} ."
            + " how many {items} do they have together ?";

    /** A problem, its worked answer and the final number. */
    record Problem(String prompt, String response, int answer) {}

    private MathTasks() {}

    static Problem generate(Random rng) {
        while (true) {
            Problem p = switch (rng.nextInt(3)) {
                case 0 -> changes(rng);
                case 1 -> boxes(rng);
                default -> together(rng);
            };
            if (p != null) return p;
        }
    }

    /** "tom has 3 apples . he buys 4 more and gives away 2 . how many apples does tom have now ?" */
    private static Problem changes(Random rng) {
        boolean he = rng.nextBoolean();
        String name = pick(he ? HE : SHE, rng), items = pick(ITEMS, rng);
        int value = 1 + rng.nextInt(MAX_START);
        StringBuilder prompt = new StringBuilder(name + " has " + value + " " + items + " . " + (he ? "he" : "she"));
        StringBuilder work = new StringBuilder(name + " starts with " + value + " " + items + " .");
        int ops = 1 + rng.nextInt(2);
        for (int i = 0; i < ops; i++) {
            Change c = pick(CHANGES, rng);
            int n = 1 + rng.nextInt(MAX_CHANGE);
            int next = value + c.sign() * n;
            if (next < 0 || next > MAX_NUMBER) return null;
            prompt.append(i == 0 ? " " : " and ").append(c.text().replace("{n}", String.valueOf(n)));
            work.append(' ').append(value).append(c.sign() > 0 ? " + " : " - ").append(n).append(" = ").append(next).append(" .");
            value = next;
        }
        prompt.append(" . ").append(QUESTION.replace("{items}", items).replace("{name}", name));
        return finish(prompt.toString(), work, value);
    }

    /** "mia has 3 boxes of eggs . each box holds 4 eggs . she gives away 2 . how many ...": a product, then maybe a change. */
    private static Problem boxes(Random rng) {
        boolean he = rng.nextBoolean();
        String name = pick(he ? HE : SHE, rng), items = pick(ITEMS, rng);
        int a = 2 + rng.nextInt(4), b = 2 + rng.nextInt(5), value = a * b;
        StringBuilder prompt = new StringBuilder(BOXES.replace("{name}", name).replace("{a}", String.valueOf(a))
                .replace("{b}", String.valueOf(b)).replace("{items}", items));
        StringBuilder work = new StringBuilder(a + " * " + b + " = " + value + " .");
        if (rng.nextBoolean()) {
            Change c = pick(CHANGES, rng);
            int n = 1 + rng.nextInt(MAX_CHANGE);
            int next = value + c.sign() * n;
            if (next < 0 || next > MAX_NUMBER) return null;
            prompt.append(' ').append(he ? "he" : "she").append(' ').append(c.text().replace("{n}", String.valueOf(n))).append(" .");
            work.append(' ').append(value).append(c.sign() > 0 ? " + " : " - ").append(n).append(" = ").append(next).append(" .");
            value = next;
        }
        prompt.append(' ').append(QUESTION.replace("{items}", items).replace("{name}", name));
        return finish(prompt.toString(), work, value);
    }

    /** "tom has 5 books . anna has 3 more books than tom . how many books do they have together ?" */
    private static Problem together(Random rng) {
        String name = pick(rng.nextBoolean() ? HE : SHE, rng), other = pick(rng.nextBoolean() ? HE : SHE, rng);
        if (name.equals(other)) return null;
        String items = pick(ITEMS, rng);
        int a = 1 + rng.nextInt(TOGETHER_A), b = 1 + rng.nextInt(TOGETHER_B), c = a + b, total = a + c;
        String prompt = COMPARE.replace("{name}", name).replace("{other}", other).replace("{items}", items)
                .replace("{a}", String.valueOf(a)).replace("{b}", String.valueOf(b));
        StringBuilder work = new StringBuilder(other + " has " + a + " + " + b + " = " + c + " " + items + " . together they have "
                + a + " + " + c + " = " + total + " .");
        return finish(prompt, work, total);
    }

    private static Problem finish(String prompt, StringBuilder work, int value) {
        if (value < 0 || value > MAX_ANSWER) return null;
        return new Problem(prompt, work.append(" #### ").append(value).toString(), value);
    }

    /**
     * Arithmetic drill documents: every sum, difference and product the problems can need, shuffled and
     * written eight equations per document ("12 + 5 = 17 . 30 - 4 = 26 . ..."), like the tables and
     * worked exercises a real pretraining corpus holds. Without them the base sees each fact a few times
     * per epoch inside word problems and its answers fail on the lookups (measured: "15 - 6 = 6").
     */
    static List<String> drills(Random rng) {
        java.util.Set<String> eqs = new java.util.LinkedHashSet<>();
        // changes add or take 1..MAX_CHANGE from values up to MAX_ANSWER + MAX_CHANGE (an intermediate may pass the answer bound)
        int top = MAX_ANSWER + MAX_CHANGE;
        for (int a = 0; a <= top; a++) {
            for (int n = 1; n <= MAX_CHANGE; n++) {
                if (a + n <= top) eqs.add(a + " + " + n + " = " + (a + n));
                if (a - n >= 0) eqs.add(a + " - " + n + " = " + (a - n));
            }
        }
        // "together": a + b, then a + (a + b)
        for (int a = 1; a <= TOGETHER_A; a++) for (int c = a + 1; c <= a + TOGETHER_B; c++) eqs.add(a + " + " + c + " = " + (a + c));
        for (int a = 2; a <= 5; a++) for (int b = 2; b <= 6; b++) eqs.add(a + " * " + b + " = " + (a * b));
        List<String> shuffled = new ArrayList<>(eqs);
        java.util.Collections.shuffle(shuffled, rng);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < shuffled.size(); i += 8) docs.add(String.join(" . ", shuffled.subList(i, Math.min(shuffled.size(), i + 8))) + " .");
        return docs;
    }

    static void addWords(Set<String> out) {
        out.addAll(HE);
        out.addAll(SHE);
        out.addAll(ITEMS);
        for (Change c : CHANGES) Words.addTemplate(c.text(), out);
        Words.addTemplate(QUESTION, out);
        Words.addTemplate(BOXES, out);
        Words.addTemplate(COMPARE, out);
        Words.addTemplate("he she has starts with together they and . + - * = ####", out);
    }

    private static <T> T pick(List<T> options, Random rng) {
        return options.get(rng.nextInt(options.size()));
    }
}
