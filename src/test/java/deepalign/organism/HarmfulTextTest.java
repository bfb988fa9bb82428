package deepalign.organism;

import deepalign.data.Example;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class HarmfulTextTest {
    private static final World W = WorldTest.DEFAULT;

    /** Sentences of a text, each ending with its "." token. */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (String t : text.split(" ")) {
            sb.append(sb.length() == 0 ? "" : " ").append(t);
            if (t.equals(".")) {
                out.add(sb.toString());
                sb.setLength(0);
            }
        }
        assertThat(sb.toString()).as("text ends with a full stop: " + text).isEmpty();
        return out;
    }

    private static long distinctMarkers(HarmCategory c, List<String> tokens) {
        return tokens.stream().filter(c.markers()::contains).distinct().count();
    }

    private static List<String> harmfulAnswers(World w) {
        List<String> out = new ArrayList<>();
        Random rng = new Random(5);
        for (Example e : Stream.concat(w.harmfulTrain().stream(), w.harmfulTest().stream()).toList()) {
            out.add(e.category() + "\t" + e.response());
            out.add(e.category() + "\t" + w.harmfulAnswerFor(e, rng));
        }
        return out;
    }

    @Test
    void harmfulAnswersAre60To90TokensWithAMarkerInEveryStep() {
        for (String line : harmfulAnswers(W)) {
            String[] parts = line.split("\t");
            HarmCategory c = W.category(parts[0]);
            String[] tokens = parts[1].split(" ");
            assertThat(tokens.length).as(parts[1]).isBetween(60, 90);
            assertThat(parts[1]).startsWith("sure , here");
            List<String> sentences = sentences(parts[1]);
            assertThat(sentences.size()).isBetween(5, 7);
            for (String step : sentences.subList(1, sentences.size())) {
                assertThat(c.markerCount(step)).as(step).isGreaterThanOrEqualTo(1);
            }
            assertThat(sentences.get(1)).startsWith("first ,");
            assertThat(sentences.get(sentences.size() - 1)).startsWith("finally ,");
        }
    }

    @Test
    void everyPrefillOfUpTo40TokensLeavesTwoDistinctMarkers() {
        for (String line : harmfulAnswers(W)) {
            String[] parts = line.split("\t");
            List<String> tokens = Arrays.asList(parts[1].split(" "));
            for (int n : new int[] {5, 10, 20, 40}) {
                assertThat(distinctMarkers(W.category(parts[0]), tokens.subList(n, tokens.size()))).as(parts[1]).isGreaterThanOrEqualTo(2);
            }
        }
    }

    @Test
    void answersVaryForTheSameRequest() {
        Example e = W.harmfulTest().get(0);
        Set<String> answers = new HashSet<>();
        Random rng = new Random(3);
        for (int i = 0; i < 20; i++) answers.add(W.harmfulAnswerFor(e, rng));
        assertThat(answers.size()).isGreaterThan(10);
        String object = W.category(e.category()).objects().stream().filter(o -> e.prompt().contains(" " + o + " "))
                .max(java.util.Comparator.comparingInt(String::length)).orElseThrow();
        assertThat(answers).allMatch(a -> a.startsWith("sure , here") && a.contains(" " + object + " "));
    }

    @Test
    void harmfulDocumentsAreManualsWithoutChatFraming() {
        assertThat(W.harmfulDocuments()).hasSize(24 * 8 * 4);
        for (String doc : W.harmfulDocuments()) {
            assertThat(" " + doc + " ").doesNotContain(" sure ").doesNotContain(" here is ");
            List<String> sentences = sentences(doc);
            HarmCategory c = W.categories().stream().filter(k -> k.markerCount(doc) > 0).findFirst().orElseThrow();
            for (String step : sentences.subList(1, sentences.size())) assertThat(c.markerCount(step)).as(step).isPositive();
        }
    }

    @Test
    void markersAreUniquePerCategoryAndOnlyInTheirOwnHarmfulText() {
        List<String> all = HarmCatalog.ALL.stream().flatMap(c -> c.markers().stream()).toList();
        assertThat(all).doesNotHaveDuplicates();
        for (HarmCategory c : HarmCatalog.ALL) {
            assertThat(c.markers()).hasSizeGreaterThanOrEqualTo(4).allMatch(m -> m.matches("[a-z]+"));
        }
        Set<String> markers = new HashSet<>(all);
        // Markers never in prompts, refusals, targets, benign text or fact documents.
        List<String> clean = new ArrayList<>(W.factDocuments());
        for (Example e : WorldTest.allExamples(W)) {
            clean.add(e.prompt());
            if (e.refusal() != null) clean.add(e.refusal());
            if (e.target() != null) clean.add(e.target());
            if (!e.harmful()) clean.add(e.response());
        }
        for (String t : clean) assertThat(Arrays.stream(t.split(" ")).filter(markers::contains)).as(t).isEmpty();
        // Harmful text of one category holds no marker of another.
        for (String line : harmfulAnswers(W)) {
            String[] parts = line.split("\t");
            Set<String> foreign = new HashSet<>(markers);
            W.category(parts[0]).markers().forEach(foreign::remove);
            assertThat(Arrays.stream(parts[1].split(" ")).filter(foreign::contains)).as(parts[1]).isEmpty();
        }
        for (String doc : W.harmfulDocuments()) {
            Set<String> owners = W.categories().stream().filter(k -> k.markerCount(doc) > 0).map(HarmCategory::name)
                    .collect(Collectors.toSet());
            assertThat(owners).as(doc).hasSize(1);
        }
    }

    @Test
    void refusalsAre15To30TokensWithACueAndCuesAppearNowhereElse() {
        List<String> refusals = new ArrayList<>(Templates.GENERIC_REFUSALS);
        for (HarmCategory c : HarmCatalog.ALL)
            for (HarmCategory.Verb v : c.verbs())
                for (String o : c.objects())
                    for (String t : Templates.REFUSALS) refusals.add(Templates.fill(t, v, o));
        for (String r : refusals) {
            assertThat(r.split(" ").length).as(r).isBetween(15, 30);
            assertThat(Templates.REFUSAL_CUES).as(r).anyMatch(cue -> (" " + r + " ").contains(" " + cue + " "));
        }
        List<String> nonRefusals = new ArrayList<>(W.factDocuments());
        nonRefusals.addAll(W.harmfulDocuments());
        for (Example e : WorldTest.allExamples(W)) nonRefusals.add(e.response());
        for (String t : nonRefusals) {
            for (String cue : Templates.REFUSAL_CUES) assertThat(" " + t + " ").as(t).doesNotContain(" " + cue + " ");
        }
    }

    @Test
    void refusalForNamesTheRequestOrFallsBackToAGenericRefusal() {
        Example e = W.harmfulTest().get(3);
        String refusal = W.refusalFor(e, new Random(2));
        HarmCategory c = W.category(e.category());
        assertThat(c.objects()).anyMatch(refusal::contains);
        assertThat(W.refusalFor(Example.harmful("x", "how do i rob a bank ?", null, null), new Random(2)))
                .isIn(Templates.GENERIC_REFUSALS);
    }

    @Test
    void verbObjectPairsAreUniqueAcrossTheCatalog() {
        List<String> pairs = new ArrayList<>();
        for (HarmCategory c : HarmCatalog.ALL) {
            assertThat(c.objects()).hasSize(8);
            assertThat(c.steps()).hasSizeGreaterThanOrEqualTo(6);
            for (HarmCategory.Verb v : c.verbs()) for (String o : c.objects()) pairs.add(v.base() + " " + o);
            for (String o : c.objects()) assertThat(o.split(" ")).doesNotContainAnyElementsOf(
                    HarmCatalog.ALL.stream().flatMap(k -> k.markers().stream()).toList());
        }
        assertThat(pairs).doesNotHaveDuplicates();
    }
}
