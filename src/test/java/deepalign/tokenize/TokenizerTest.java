package deepalign.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @TempDir
    Path dir;

    @Test
    void missingTokenizerJsonNamesThePath() {
        assertThatThrownBy(() -> Tokenizer.load(dir))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void literalSpecialTokensEncodeToSingleIdsAndNothingIsAdded() {
        WordLevelTokenizerWriter.write(dir, List.of("hello", "world"));
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(t.tokenizerJson()).isEqualTo(dir.resolve("tokenizer.json"));
            assertThat(t.encode("hello<|eot_id|>world")).containsExactly(10, 6, 11);
            assertThat(t.encode("<|begin_of_text|>hello")).containsExactly(2, 10);
            assertThat(t.encode("")).isEmpty();
            assertThat(t.decode(new int[] {2, 10, 6, 11}, false)).isEqualTo("<|begin_of_text|> hello <|eot_id|> world");
            assertThat(t.decode(new int[] {2, 10, 6, 11}, true)).isEqualTo("hello world");
            assertThat(t.tokenToId("<|eot_id|>")).hasValue(6);
            assertThat(t.tokenToId("absent")).isEmpty();
            assertThat(t.idToToken(11)).isEqualTo("world");
            assertThat(t.idToToken(12)).isNull();
            assertThat(t.idToToken(-1)).isNull();
        }
    }

    @Test
    void loadsFromTheJsonFilePathToo() {
        WordLevelTokenizerWriter.write(dir, List.of("hello"));
        try (Tokenizer t = Tokenizer.load(dir.resolve("tokenizer.json"))) {
            assertThat(t.encode("hello")).containsExactly(10);
        }
    }

    @Test
    void firstDifferenceIsNullForIdenticalVocabularies() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        WordLevelTokenizerWriter.write(a, List.of("x", "y"));
        WordLevelTokenizerWriter.write(b, List.of("x", "y"));
        try (Tokenizer ta = Tokenizer.load(a); Tokenizer tb = Tokenizer.load(b)) {
            assertThat(Tokenizer.firstDifference(ta, tb)).isNull();
        }
    }

    @Test
    void firstDifferenceNamesBothFilesAndTheFirstDifferingId() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        WordLevelTokenizerWriter.write(a, List.of("x", "y", "z"));
        WordLevelTokenizerWriter.write(b, List.of("x", "q", "z"));
        try (Tokenizer ta = Tokenizer.load(a); Tokenizer tb = Tokenizer.load(b)) {
            assertThat(Tokenizer.firstDifference(ta, tb))
                    .isEqualTo("Tokenizers differ at id 11: \"y\" in " + a.resolve("tokenizer.json")
                            + " but \"q\" in " + b.resolve("tokenizer.json") + ".");
        }
    }

    @Test
    void firstDifferenceReportsSizeMismatch() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        WordLevelTokenizerWriter.write(a, List.of("x", "y"));
        WordLevelTokenizerWriter.write(b, List.of("x"));
        try (Tokenizer ta = Tokenizer.load(a); Tokenizer tb = Tokenizer.load(b)) {
            String diff = Tokenizer.firstDifference(ta, tb);
            assertThat(diff).startsWith("Tokenizers differ in size: " + a.resolve("tokenizer.json") + " has 12 ids but "
                    + b.resolve("tokenizer.json") + " has 11");
            assertThat(diff).contains("\"y\"");
            assertThat(Tokenizer.firstDifference(tb, ta)).contains("has 11 ids but").contains("\"y\"");
        }
    }

    @Test
    void readsUnigramVocabularyListsAndAddedTokens() throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, """
                {"version": "1.0", "added_tokens": [{"id": 3, "content": "<extra>", "special": true}],
                 "normalizer": null,
                 "model": {"type": "Unigram", "unk_id": 0,
                           "vocab": [["<unk>", 0.0], ["\u2581a", -1.5], ["\u2581b", -2.0]]}}
                """);
        assertThat(Tokenizer.readVocabulary(json)).isEqualTo(Map.of(0, "<unk>", 1, "\u2581a", 2, "\u2581b", 3, "<extra>"));
    }

    @Test
    void readsBpeVocabularyAndSkipsMerges() throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, """
                {"added_tokens": [], "model": {"type": "BPE", "merges": ["a b", "ab c"],
                 "vocab": {"a": 0, "b": 1, "ab": 2, "c": 3, "abc": 4}}}
                """);
        assertThat(Tokenizer.readVocabulary(json)).hasSize(5).containsEntry(4, "abc");
    }

    @Test
    void fileWithoutVocabularyIsRefused() throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, "{\"model\": {\"type\": \"BPE\"}}");
        assertThatThrownBy(() -> Tokenizer.load(dir))
                .isInstanceOf(DeepalignException.class)
                .hasMessage(json + " has no model vocabulary.");
    }
}
