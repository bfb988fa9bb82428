package deepalign.organism;

import com.fasterxml.jackson.databind.ObjectMapper;
import deepalign.DeepalignException;
import deepalign.data.Example;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorldTest {
    static final World DEFAULT = World.generate(WorldConfig.defaults(7));
    static final World TINY = World.generate(WorldConfig.tiny(7));

    /** Every text a world emits: split fields and documents. */
    static List<String> allTexts(World w) {
        List<String> out = new ArrayList<>();
        for (Example e : allExamples(w)) {
            out.add(e.prompt());
            if (e.response() != null) out.add(e.response());
            if (e.refusal() != null) out.add(e.refusal());
            if (e.target() != null) out.add(e.target());
            out.addAll(e.choices());
        }
        out.addAll(w.factDocuments());
        out.addAll(w.harmfulDocuments());
        return out;
    }

    static List<Example> allExamples(World w) {
        return Stream.of(w.harmfulTrain(), w.harmfulTest(), w.benignTrain(), w.benignTest(), w.mcTrain(), w.mcTest(),
                w.mathTrain(), w.mathTest()).flatMap(List::stream).collect(Collectors.toList());
    }

    static List<String> trainingTexts(World w) {
        List<String> out = new ArrayList<>();
        for (Example e : Stream.of(w.harmfulTrain(), w.benignTrain(), w.mcTrain(), w.mathTrain()).flatMap(List::stream).toList()) {
            out.add(e.prompt());
            out.add(e.response());
            if (e.refusal() != null) out.add(e.refusal());
        }
        out.addAll(w.factDocuments());
        out.addAll(w.harmfulDocuments());
        return out;
    }

    @Test
    void everyOrganismSizeHasAWorldThatGenerates() {
        for (String size : List.of("tiny", "quick", "small")) {
            World w = World.generate(OrganismConfig.forSize(size, 3).world());
            assertThat(w.harmfulTest()).as(size).isNotEmpty();
            assertThat(w.arithmeticDocuments()).as(size).isNotEmpty();
        }
        // the demo's quick organism keeps at least 100 held-out harmful prompts
        assertThat(World.generate(OrganismConfig.forSize("quick", 0).world()).harmfulTest()).hasSizeGreaterThanOrEqualTo(100);
    }

    @Test
    void sameSeedGivesTheSameWorldAndAnotherSeedAnotherOne() {
        World again = World.generate(WorldConfig.defaults(7));
        assertThat(allExamples(again)).isEqualTo(allExamples(DEFAULT));
        assertThat(again.factDocuments()).isEqualTo(DEFAULT.factDocuments());
        assertThat(again.harmfulDocuments()).isEqualTo(DEFAULT.harmfulDocuments());
        assertThat(again.vocabulary()).isEqualTo(DEFAULT.vocabulary());

        World other = World.generate(WorldConfig.defaults(8));
        assertThat(other.harmfulTest()).isNotEqualTo(DEFAULT.harmfulTest());
        assertThat(other.mcTest()).isNotEqualTo(DEFAULT.mcTest());
        assertThat(other.mathTest()).isNotEqualTo(DEFAULT.mathTest());
        assertThat(other.factDocuments()).isNotEqualTo(DEFAULT.factDocuments());
    }

    @Test
    void defaultSplitsHaveTheConfiguredSizesAndCoverEveryCategory() {
        assertThat(DEFAULT.categories()).hasSize(24);
        assertThat(DEFAULT.harmfulTest()).hasSize(240);
        assertThat(DEFAULT.benignTest()).hasSize(240);
        assertThat(DEFAULT.mcTest()).hasSize(240);
        assertThat(DEFAULT.mathTest()).hasSize(240);
        assertThat(DEFAULT.mathTrain()).hasSize(2000);
        assertThat(DEFAULT.mathPretrain()).isEmpty();
        // pretraining-only problems are new to both splits, and adding them leaves the splits as they were
        WorldConfig d = WorldConfig.defaults(7);
        World more = World.generate(new WorldConfig(7, d.numCategories(), d.objectsPerCategory(), d.phrasings(), d.harmfulTestSize(),
                d.benignTestSize(), d.mcTestSize(), d.mathTestSize(), d.benignTrainSize(), d.mathTrainSize(), 3000, d.mcTrainVariants(),
                d.entities(), d.factDocsPerEntity(), d.harmfulDocsPerObject()));
        assertThat(more.mathPretrain()).hasSize(3000);
        assertThat(more.mathTrain()).isEqualTo(DEFAULT.mathTrain());
        assertThat(more.mathTest()).isEqualTo(DEFAULT.mathTest());
        Set<String> splits = Stream.of(more.mathTrain(), more.mathTest()).flatMap(List::stream).map(Example::prompt).collect(Collectors.toSet());
        assertThat(more.mathPretrain()).extracting(Example::prompt).doesNotContainAnyElementsOf(splits).doesNotHaveDuplicates();
        assertThat(DEFAULT.benignTrain()).hasSize(1200);
        assertThat(DEFAULT.harmfulTrain()).hasSize(24 * 8 * 8 - 240);
        assertThat(DEFAULT.mcTrain()).hasSizeGreaterThan(400);
        assertThat(DEFAULT.harmfulTest()).extracting(Example::category).containsOnly(names(DEFAULT).toArray(String[]::new));
        assertThat(DEFAULT.harmfulTest().stream().map(Example::category).distinct()).hasSize(24);
        assertThat(DEFAULT.vocabulary().size()).isBetween(800, 1500);
        assertThat(DEFAULT.benignTest()).extracting(Example::category).contains("math", "mc", "instruction")
                .containsOnly("math", "mc", "instruction");

        assertThat(TINY.categories()).hasSize(20);
        assertThat(TINY.harmfulTest()).hasSize(40);
        assertThat(TINY.harmfulTest().stream().map(Example::category).distinct()).hasSize(20);
        assertThat(TINY.benignTest()).hasSize(40);
    }

    @Test
    void harmfulExamplesCarryAnswerRefusalCategoryAndTarget() {
        for (Example e : DEFAULT.harmfulTrain()) {
            assertThat(e.harmful()).isTrue();
            assertThat(e.response()).startsWith(e.target() + " .");
            assertThat(e.target()).startsWith("sure , here");
            assertThat(e.refusal()).isNotBlank();
            assertThat(DEFAULT.category(e.category()).name()).isEqualTo(e.category());
        }
        assertThat(allExamples(DEFAULT).stream().map(Example::id).filter(id -> id.startsWith("harmful")).distinct())
                .hasSize(DEFAULT.harmfulTrain().size() + DEFAULT.harmfulTest().size());
    }

    @Test
    void testPromptsNeverAppearInTrainingDataOrDocuments() {
        for (World w : List.of(DEFAULT, TINY)) {
            String training = String.join("\n", trainingTexts(w));
            Set<String> trainPrompts = Stream.of(w.harmfulTrain(), w.benignTrain(), w.mcTrain(), w.mathTrain(), w.mathPretrain())
                    .flatMap(List::stream).map(Example::prompt).collect(Collectors.toSet());
            for (Example e : Stream.of(w.harmfulTest(), w.benignTest(), w.mcTest(), w.mathTest()).flatMap(List::stream).toList()) {
                assertThat(trainPrompts).doesNotContain(e.prompt());
                assertThat(training.contains(e.prompt())).as(e.prompt()).isFalse();
            }
        }
    }

    @Test
    void everyObjectAndPhrasingOfACategoryIsTrainedButNoTestCombination() {
        for (World w : List.of(DEFAULT, TINY)) {
            for (HarmCategory c : w.categories()) {
                Set<String> trainCombos = combos(w.harmfulTrain(), c, w.config().phrasings());
                Set<String> testCombos = combos(w.harmfulTest(), c, w.config().phrasings());
                assertThat(testCombos).isNotEmpty().doesNotContainAnyElementsOf(trainCombos);
                for (String o : c.objects()) assertThat(trainCombos).anyMatch(k -> k.startsWith(o + "|"));
                for (int p = 0; p < w.config().phrasings(); p++) {
                    String suffix = "|" + p;
                    assertThat(trainCombos).anyMatch(k -> k.endsWith(suffix));
                }
            }
        }
    }

    /** "object|phrasing" of each example of {@code c}, recovered by re-rendering every template. */
    private static Set<String> combos(List<Example> examples, HarmCategory c, int phrasings) {
        Set<String> out = new HashSet<>();
        for (Example e : examples) {
            if (!e.category().equals(c.name())) continue;
            List<String> matches = new ArrayList<>();
            for (String o : c.objects())
                for (HarmCategory.Verb v : c.verbs())
                    for (int p = 0; p < phrasings; p++)
                        if (Templates.fill(Templates.REQUESTS.get(p), v, o).equals(e.prompt())) matches.add(o + "|" + p);
            assertThat(matches).as(e.prompt()).hasSize(1);
            out.add(matches.get(0));
        }
        return out;
    }

    @Test
    void everyEmittedTextIsWellFormedAndUsesOnlyVocabularyWords() {
        for (World w : List.of(DEFAULT, TINY)) {
            Set<String> vocab = new HashSet<>(w.vocabulary());
            assertThat(w.vocabulary()).hasSameSizeAs(vocab).isSorted();
            List<String> texts = allTexts(w);
            Random rng = new Random(1);
            for (Example e : w.harmfulTest()) {
                texts.add(w.harmfulAnswerFor(e, rng));
                texts.add(w.harmfulAnswerFor(e.category(), w.category(e.category()).objects().get(0), rng));
                texts.add(w.refusalFor(e, rng));
            }
            texts.add(w.refusalFor(Example.harmful("x", "how do i rob a bank ?", null, null), rng));
            List<String> bad = new ArrayList<>();
            for (String t : texts) {
                boolean wellFormed = !t.isEmpty() && !t.startsWith(" ") && !t.endsWith(" ") && !t.contains("  ")
                        && !t.contains("\n") && !t.contains("{") && t.equals(t.toLowerCase());
                if (!wellFormed) bad.add(t);
                for (String word : t.split(" ")) if (!vocab.contains(word)) bad.add(word + " in: " + t);
            }
            assertThat(bad).isEmpty();
        }
    }

    @Test
    void benignPromptsAreFreeOfMarkersAndTestPromptsAreUnique() {
        Set<String> markers = DEFAULT.markersByCategory().values().stream().flatMap(List::stream).collect(Collectors.toSet());
        for (Example e : Stream.of(DEFAULT.benignTrain(), DEFAULT.benignTest(), DEFAULT.mcTrain(), DEFAULT.mcTest(),
                DEFAULT.mathTrain(), DEFAULT.mathTest()).flatMap(List::stream).toList()) {
            assertThat(e.harmful()).isFalse();
            for (String t : List.of(e.prompt(), e.response())) assertThat(t.split(" ")).doesNotContainAnyElementsOf(markers);
        }
        for (List<Example> split : List.of(DEFAULT.harmfulTest(), DEFAULT.benignTest(), DEFAULT.mcTest(), DEFAULT.mathTest())) {
            assertThat(split.stream().map(Example::prompt).distinct()).hasSameSizeAs(split);
        }
    }

    @Test
    void utilitySetIsBenignTrainThenEveryFactDocumentAsAChat() {
        List<Example> u = DEFAULT.utilityTrain();
        assertThat(u).hasSize(DEFAULT.benignTrain().size() + DEFAULT.factDocuments().size());
        assertThat(u.subList(0, DEFAULT.benignTrain().size())).isEqualTo(DEFAULT.benignTrain());
        List<Example> docs = u.subList(DEFAULT.benignTrain().size(), u.size());
        for (int i = 0; i < docs.size(); i++) {
            Example d = docs.get(i);
            assertThat(d.prompt().split(" ")).hasSize(World.DOC_PROMPT_WORDS);
            assertThat(d.prompt() + " " + d.response()).isEqualTo(DEFAULT.factDocuments().get(i));
            assertThat(d.harmful()).isFalse();
            assertThat(d.category()).isEqualTo("document");
        }
        assertThat(World.generate(WorldConfig.defaults(7)).utilityTrain()).isEqualTo(u);
    }

    @Test
    void writesJsonlThatReadsBackAsTheSameExamples(@TempDir Path dir) throws Exception {
        TINY.writeSplits(dir);
        ObjectMapper json = new ObjectMapper();
        Map<String, List<Example>> expected = Map.of("harmful_train.jsonl", TINY.harmfulTrain(), "harmful_test.jsonl", TINY.harmfulTest(),
                "benign_train.jsonl", TINY.benignTrain(), "benign_test.jsonl", TINY.benignTest(), "mc_train.jsonl", TINY.mcTrain(),
                "utility_mc_test.jsonl", TINY.mcTest(), "math_train.jsonl", TINY.mathTrain(), "utility_math_test.jsonl", TINY.mathTest());
        expected = new java.util.HashMap<>(expected);
        expected.put("utility_train.jsonl", TINY.utilityTrain());
        for (var e : expected.entrySet()) {
            List<String> lines = Files.readAllLines(dir.resolve(e.getKey()));
            List<Example> read = new ArrayList<>();
            for (String line : lines) {
                assertThat(line).doesNotContain(":null").doesNotContain("\"choices\":[]");
                read.add(json.readValue(line, Example.class));
            }
            assertThat(read).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(Files.readAllLines(dir.resolve("benign_test.jsonl")).get(0)).contains("\"harmful\":false");
    }

    @Test
    void describeSummarisesTheWorldAsJson() throws Exception {
        Map<String, Object> d = DEFAULT.describe();
        assertThat(d).containsEntry("seed", 7L).containsEntry("vocabulary_size", DEFAULT.vocabulary().size())
                .containsEntry("markers", DEFAULT.markersByCategory()).containsEntry("refusal_cues", DEFAULT.refusalCues());
        assertThat(d.get("categories")).isEqualTo(names(DEFAULT));
        java.io.StringWriter json = new java.io.StringWriter();
        new ObjectMapper().writeValue(json, d);
        assertThat(json.toString()).contains("\"harmful_test\":240", "\"numCategories\":24");
    }

    @Test
    void invalidConfigsAndUnknownNamesAreUserErrors() {
        WorldConfig d = WorldConfig.defaults(1);
        assertThatThrownBy(() -> new WorldConfig(1, 19, 8, 8, 240, 240, 240, 240, 1200, 2000, 6000, 2, 120, 4, 4))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("numCategories");
        assertThatThrownBy(() -> new WorldConfig(1, 24, 8, 8, 24 * 57, 240, 240, 240, 1200, 2000, 6000, 2, 120, 4, 4))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("harmfulTestSize");
        assertThatThrownBy(() -> new WorldConfig(1, 24, 8, 8, 240, 240, 480, 240, 1200, 2000, 6000, 2, d.entities(), 4, 4))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("mcTestSize");
        assertThatThrownBy(() -> TINY.category("piracy")).isInstanceOf(DeepalignException.class).hasMessageContaining("piracy");
        assertThatThrownBy(() -> TINY.harmfulAnswerFor("arson", "a moon", new Random(1))).isInstanceOf(DeepalignException.class);
        assertThatThrownBy(() -> TINY.harmfulAnswerFor(Example.harmful("x", "hello ?", null, null), new Random(1)))
                .isInstanceOf(DeepalignException.class);
    }

    @Test
    void allCatalogCategoriesMakeAWorld() {
        World w = World.generate(new WorldConfig(3, HarmCatalog.ALL.size(), 8, 12, 260, 30, 30, 30, 30, 30, 0, 1, 16, 1, 1));
        assertThat(w.categories()).hasSize(HarmCatalog.ALL.size());
        assertThat(w.harmfulTrain().size() + w.harmfulTest().size()).isEqualTo(HarmCatalog.ALL.size() * 8 * 12);
    }

    private static List<String> names(World w) {
        return w.categories().stream().map(HarmCategory::name).toList();
    }
}
