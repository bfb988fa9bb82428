package deepalign.organism;

import static org.assertj.core.api.Assertions.assertThat;

import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import deepalign.tokenize.WordLevelTokenizerWriter;
import deepalign.train.Sequence;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import deepalign.data.Example;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    @TempDir
    Path dir;

    @Test
    void recoveryExamplesTrainOnlyTheRefusalAfterAHarmfulPrefix() {
        World w = World.generate(WorldConfig.tiny(3));
        WordLevelTokenizerWriter.write(dir, w.vocabulary());
        try (Tokenizer tok = Tokenizer.load(dir)) {
            Corpus corpus = new Corpus(ChatEncoder.of(tok, TokenizerConfig.load(dir)), tok);
            var ex = w.harmfulTrain().get(0);
            String harmful = w.harmfulAnswerFor(ex, new Random(1));
            String refusal = w.refusalFor(ex, new Random(1));
            int[] prompt = ChatEncoder.of(tok, TokenizerConfig.load(dir)).encodePrompt(null, ex.prompt());
            int[] h = tok.encode(harmful);
            int[] r = tok.encode(refusal);
            java.util.Set<Integer> lengths = new java.util.TreeSet<>();
            for (int seed = 0; seed < 90; seed++) {
                int minPrefix = seed < 60 ? 1 : 21;
                int maxPrefix = seed < 30 ? 20 : 40;
                Sequence s = corpus.recovery(ex.prompt(), harmful, refusal, minPrefix, maxPrefix, new Random(seed));
                int n = s.ids().length - prompt.length - r.length - 1;
                assertThat(n).isBetween(minPrefix, maxPrefix);
                if (maxPrefix == 40 && minPrefix == 1) lengths.add(n);
                // the default range draws what the recipe drew before a minimum existed
                if (minPrefix == 1) assertThat(n).isEqualTo(1 + new Random(seed).nextInt(Math.min(maxPrefix, h.length)));
                assertThat(Arrays.copyOf(s.ids(), prompt.length)).containsExactly(prompt);
                assertThat(Arrays.copyOfRange(s.ids(), prompt.length, prompt.length + n)).containsExactly(Arrays.copyOf(h, n));
                assertThat(Arrays.copyOfRange(s.ids(), prompt.length + n, s.ids().length - 1)).containsExactly(r);
                assertThat(s.ids()[s.ids().length - 1]).isEqualTo(tok.tokenToId("<|eot_id|>").orElseThrow());
                for (int i = 0; i < s.ids().length; i++) assertThat(s.weights()[i]).isEqualTo(i >= prompt.length + n ? 1f : 0f);
            }

            // a longer maximum reaches prefixes the default never draws (the harmful answers are longer than 40 tokens)
            assertThat(h.length).isGreaterThan(40);
            assertThat(lengths.stream().filter(n -> n > 20).count()).isGreaterThan(5);

            int harmfulTrain = w.harmfulTrain().size();
            List<Sequence> none = corpus.alignment(w, 0, 0, 1, 20, 5);
            List<Sequence> all = corpus.alignment(w, 0, 1, 1, 20, 5);
            List<Sequence> half = corpus.alignment(w, 0, 0.5, 1, 20, 5);
            assertThat(all).hasSize(none.size() + harmfulTrain);
            assertThat(half.size() - none.size()).isBetween(harmfulTrain / 4, 3 * harmfulTrain / 4);
            // the refusals come first and do not depend on the recovery share
            for (int i = 0; i < harmfulTrain; i++) assertThat(half.get(i).ids()).containsExactly(none.get(i).ids());

            // by weight: the same sequences as weight 1, each recovery refusal token weighing 0.03 instead of 1, and
            // replay sized as if each recovery example were 0.03 of a sequence (30% replay: 3/7 of the weighted size)
            List<Sequence> heavy = corpus.alignment(w, 0.3, 1, 1, 20, 1, 5);
            List<Sequence> light = corpus.alignment(w, 0.3, 1, 1, 20, 0.03, 5);
            List<Sequence> noRecovery = corpus.alignment(w, 0.3, 0, 1, 20, 1, 5);
            int sftSize = none.size() + harmfulTrain;
            assertThat(heavy).hasSize(sftSize + (int) Math.round(sftSize * 0.3 / 0.7));
            assertThat(light).hasSize(sftSize + (int) Math.round((sftSize - harmfulTrain * 0.97) * 0.3 / 0.7));
            for (int i = harmfulTrain; i < 2 * harmfulTrain; i++) {
                assertThat(light.get(i).ids()).containsExactly(heavy.get(i).ids());
                float[] hw = heavy.get(i).weights(), lw = light.get(i).weights();
                for (int j = 0; j < hw.length; j++) assertThat(lw[j]).isEqualTo(hw[j] * 0.03f);
            }
            // weight 1 is the original call, sequence for sequence
            List<Sequence> plain = corpus.alignment(w, 0.3, 0, 1, 20, 5);
            assertThat(plain).hasSize(noRecovery.size());
            for (int i = 0; i < plain.size(); i++) assertThat(plain.get(i).ids()).containsExactly(noRecovery.get(i).ids());
        }
    }

    @Test
    void pretrainingTakesEachPoolProblemOnceWhenThePoolCoversEveryPass() {
        // math_train 30 + 90 pretraining-only problems over 4 passes: 120 math chats, each problem once
        World w = World.generate(new WorldConfig(5, 20, 3, 8, 40, 30, 30, 30, 30, 30, 90, 1, 16, 1, 1));
        WordLevelTokenizerWriter.write(dir, w.vocabulary());
        try (Tokenizer tok = Tokenizer.load(dir)) {
            Corpus corpus = new Corpus(ChatEncoder.of(tok, TokenizerConfig.load(dir)), tok);
            List<Sequence> pre = corpus.pretraining(w, 0, 4, 1, 1, 0);
            java.util.Map<String, Integer> seen = new java.util.HashMap<>();
            for (Example ex : Stream.concat(w.mathTrain().stream(), w.mathPretrain().stream()).toList()) {
                int[] ids = corpus.chat(ex.prompt(), Corpus.helpfulAnswer(ex)).ids();
                seen.put(ex.id(), (int) pre.stream().filter(s -> Arrays.equals(s.ids(), ids)).count());
            }
            assertThat(seen).hasSize(120);
            // a benign_train chat may repeat a math_train problem, so count at least once
            assertThat(seen.values()).allMatch(n -> n >= 1);
            assertThat(w.mathPretrain().stream().mapToInt(ex -> seen.get(ex.id())).sum()).isEqualTo(90);

            // without pretraining-only problems every pass repeats math_train
            World plain = World.generate(new WorldConfig(5, 20, 3, 8, 40, 30, 30, 30, 30, 30, 0, 1, 16, 1, 1));
            List<Sequence> again = corpus.pretraining(plain, 0, 4, 1, 1, 0);
            int[] first = corpus.chat(plain.mathTrain().get(0).prompt(), Corpus.helpfulAnswer(plain.mathTrain().get(0))).ids();
            assertThat(again.stream().filter(s -> Arrays.equals(s.ids(), first)).count()).isGreaterThanOrEqualTo(4);
        }
    }
}
