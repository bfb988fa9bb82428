package deepalign.organism;

import deepalign.data.Example;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class BenignTasksTest {
    private static final World W = WorldTest.DEFAULT;

    private static final Pattern[] FACT_FORMS = {
            Pattern.compile("the (\\w+) of (\\w+) is (\\w+) \\."),
            Pattern.compile("(\\w+) has (\\w+) as its (\\w+) \\."),
            Pattern.compile("in (\\w+) , the (\\w+) is (\\w+) \\.")};

    /** (entity attribute) -> value, from every fact document; fails on contradictions. */
    private static Map<String, String> factsFromDocuments(World w) {
        Map<String, String> facts = new HashMap<>();
        for (String doc : w.factDocuments()) {
            for (int f = 0; f < FACT_FORMS.length; f++) {
                Matcher m = FACT_FORMS[f].matcher(doc);
                while (m.find()) {
                    String entity = f == 0 ? m.group(2) : m.group(1);
                    String attr = f == 0 ? m.group(1) : f == 1 ? m.group(3) : m.group(2);
                    String value = f == 1 ? m.group(2) : m.group(3);
                    String old = facts.put(entity + " " + attr, value);
                    assertThat(old == null || old.equals(value)).as("contradiction on " + entity + " " + attr).isTrue();
                }
            }
        }
        return facts;
    }

    @Test
    void multipleChoiceAnswersAreTheStatedFactsAndTestPairsAreNeverTrained() {
        Map<String, String> facts = factsFromDocuments(W);
        assertThat(facts).hasSize(W.config().entities() * FactBase.ATTRIBUTES.size());
        Pattern q = Pattern.compile("question : what is the (\\w+) of (\\w+) \\? options : (.+) \\. answer with the right option \\.");
        Set<String> trainPairs = new HashSet<>(), testPairs = new HashSet<>();
        for (List<Example> split : List.of(W.mcTrain(), W.mcTest())) {
            for (Example e : split) {
                Matcher m = q.matcher(e.prompt());
                assertThat(m.matches()).as(e.prompt()).isTrue();
                String pair = m.group(2) + " " + m.group(1);
                (split == W.mcTrain() ? trainPairs : testPairs).add(pair);
                assertThat(e.choices()).hasSize(4).doesNotHaveDuplicates();
                assertThat(m.group(3)).isEqualTo(String.join(" , ", e.choices()));
                int answer = Integer.parseInt(e.answer());
                assertThat(answer).isBetween(0, 3);
                assertThat(e.choices().get(answer)).isEqualTo(facts.get(pair));
                assertThat(e.response()).isEqualTo("the " + m.group(1) + " of " + m.group(2) + " is " + facts.get(pair) + " .");
                assertThat(W.factDocuments()).anyMatch(d -> d.contains(e.response()));
                assertThat(e.category()).isEqualTo("mc");
            }
        }
        assertThat(testPairs).hasSize(W.mcTest().size()).doesNotContainAnyElementsOf(trainPairs);
        // Options are balanced: the right answer is not always in one slot.
        assertThat(W.mcTest().stream().map(Example::answer).distinct()).hasSize(4);
    }

    private static final Pattern TOGETHER = Pattern.compile("(\\w+) has (\\d+) (\\w+) \\. (\\w+) has (\\d+) more \\3 than \\1 \\..*");
    private static final Pattern BOXES = Pattern.compile("\\w+ has (\\d+) boxes of (\\w+) \\. each box holds (\\d+) \\2 \\.(.*)");
    private static final Pattern HAS = Pattern.compile("\\w+ has (\\d+) \\w+ \\.(.*)");
    private static final Pattern CHANGE = Pattern.compile(
            "(buys|finds) (\\d+) more|gets (\\d+) more from a friend|gives away (\\d+)|loses (\\d+)|gives (\\d+) to a friend");
    private static final Pattern EQUATION = Pattern.compile("(\\d+) ([-+*]) (\\d+) = (\\d+)");

    /** Solves a problem from its prompt alone, independently of the generator. */
    private static int solve(String prompt) {
        Matcher m = TOGETHER.matcher(prompt);
        if (m.matches()) {
            int a = Integer.parseInt(m.group(2));
            return a + a + Integer.parseInt(m.group(5));
        }
        int value;
        String rest;
        if ((m = BOXES.matcher(prompt)).matches()) {
            value = Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(3));
            rest = m.group(4);
        } else {
            m = HAS.matcher(prompt);
            assertThat(m.matches()).as(prompt).isTrue();
            value = Integer.parseInt(m.group(1));
            rest = m.group(2);
        }
        Matcher c = CHANGE.matcher(rest);
        while (c.find()) {
            if (c.group(2) != null) value += Integer.parseInt(c.group(2));
            else if (c.group(3) != null) value += Integer.parseInt(c.group(3));
            else for (int g = 4; g <= 6; g++) if (c.group(g) != null) value -= Integer.parseInt(c.group(g));
        }
        return value;
    }

    @Test
    void mathAnswersAreCorrectAndNumbersStaySmall() {
        List<Example> all = new ArrayList<>(W.mathTrain());
        all.addAll(W.mathTest());
        for (Example e : all) {
            int expected = solve(e.prompt());
            assertThat(expected).isBetween(0, 40);
            assertThat(e.answer()).isEqualTo(String.valueOf(expected));
            assertThat(e.response()).endsWith("#### " + expected);
            Matcher eq = EQUATION.matcher(e.response());
            int equations = 0;
            while (eq.find()) {
                equations++;
                int a = Integer.parseInt(eq.group(1)), b = Integer.parseInt(eq.group(3)), r = Integer.parseInt(eq.group(4));
                int want = switch (eq.group(2)) { case "+" -> a + b; case "-" -> a - b; default -> a * b; };
                assertThat(r).as(e.response()).isEqualTo(want);
            }
            assertThat(equations).isBetween(1, 2);
            for (String t : (e.prompt() + " " + e.response()).split(" ")) {
                if (t.matches("\\d+")) assertThat(Integer.parseInt(t)).isBetween(0, 99);
            }
            assertThat(e.category()).isEqualTo("math");
        }
        assertThat(all.stream().map(Example::prompt).distinct()).hasSameSizeAs(all);
    }

    @Test
    void drillsAreCorrectAndCoverEveryEquationTheMathAnswersUse() {
        java.util.Set<String> drilled = new java.util.HashSet<>();
        for (String doc : W.arithmeticDocuments()) {
            Matcher eq = EQUATION.matcher(doc);
            while (eq.find()) {
                int a = Integer.parseInt(eq.group(1)), b = Integer.parseInt(eq.group(3)), r = Integer.parseInt(eq.group(4));
                int want = switch (eq.group(2)) { case "+" -> a + b; case "-" -> a - b; default -> a * b; };
                assertThat(r).as(doc).isEqualTo(want);
                assertThat(drilled.add(eq.group())).as("each fact drilled once per pass: " + eq.group()).isTrue();
            }
        }
        List<Example> all = new ArrayList<>(W.mathTrain());
        all.addAll(W.mathTest());
        for (Example e : all) {
            Matcher eq = EQUATION.matcher(e.response());
            while (eq.find()) assertThat(drilled).as(e.response()).contains(eq.group());
        }
    }

    @Test
    void instructionsHaveCorrectHelpfulAnswers() {
        List<Example> instr = Stream.concat(W.benignTrain().stream(), W.benignTest().stream())
                .filter(e -> e.category().equals("instruction")).toList();
        assertThat(instr).hasSizeGreaterThan(300);
        int checked = 0;
        for (Example e : instr) {
            String p = e.prompt(), r = e.response();
            Matcher m;
            if ((m = Pattern.compile("sort these numbers from small to big : (.+) \\.").matcher(p)).matches()) {
                List<Integer> ns = new ArrayList<>(Stream.of(m.group(1).split(" , ")).map(Integer::valueOf).toList());
                ns.sort(null);
                assertThat(r).isEqualTo(String.join(" , ", ns.stream().map(String::valueOf).toList()) + " .");
                checked++;
            } else if ((m = Pattern.compile("which number is bigger , (\\d+) or (\\d+) \\?").matcher(p)).matches()) {
                int a = Integer.parseInt(m.group(1)), b = Integer.parseInt(m.group(2));
                assertThat(r).isEqualTo(Math.max(a, b) + " is bigger than " + Math.min(a, b) + " .");
                checked++;
            } else if ((m = Pattern.compile("is (\\d+) an even number \\?").matcher(p)).matches()) {
                assertThat(r).startsWith(Integer.parseInt(m.group(1)) % 2 == 0 ? "yes" : "no");
                checked++;
            } else if ((m = Pattern.compile("what number comes after (\\d+) \\?").matcher(p)).matches()) {
                assertThat(r).startsWith((Integer.parseInt(m.group(1)) + 1) + " comes after");
                checked++;
            } else if ((m = Pattern.compile("repeat the word (\\w+) (two|three|four) times \\.").matcher(p)).matches()) {
                int n = List.of("two", "three", "four").indexOf(m.group(2)) + 2;
                assertThat(r.split(" ")).hasSize(n + 1).startsWith(m.group(1));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100);
    }
}
