package deepalign.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import deepalign.DeepalignException;
import deepalign.model.ModelConfig;
import org.junit.jupiter.api.Test;

class FlopsTest {
    @Test
    void forwardCountsEveryWeightMatrixTwicePerTokenPlusAttention() {
        ModelConfig h512 = Benchmarks.size("h512"); // untied: embedding table and lm head are separate
        long perLayer = 4L * 512 * 512 + 3L * 512 * 1536 + 2 * 512; // q,k,v,o + gate,up,down + two norms
        long nonEmbedding = 8 * perLayer + 512; // + final norm; the lm head is not "embedding" here
        assertThat(Flops.nonEmbeddingParameters(h512)).isEqualTo(nonEmbedding);
        double perToken = 2.0 * (nonEmbedding + 2000L * 512) + 4.0 * 8 * 512 * 512;
        assertThat(Flops.forwardPerToken(h512, 512)).isEqualTo(perToken);
        assertThat(Flops.forward(h512, 4, 512)).isEqualTo(2048 * perToken);
        assertThat(Flops.forward(h512, 4, 512) / 1e9).isCloseTo(133.08, within(0.01)); // 65.0 MFLOP per token, 2048 tokens
        assertThat(Flops.train(h512, 4, 512)).isEqualTo(3 * 2048 * perToken);
    }

    @Test
    void tiedModelsCountTheSharedTableOnceAsLmHead() {
        ModelConfig org = Benchmarks.size("organism");
        assertThat(org.tieWordEmbeddings()).isTrue();
        assertThat(Flops.nonEmbeddingParameters(org)).isEqualTo(org.parameterCount() - 1400L * 128);
        assertThat(Flops.forwardPerToken(org, 0)).isEqualTo(2.0 * org.parameterCount());
    }

    @Test
    void generateIsAPrefillPlusOneCachedStepPerLaterToken() {
        ModelConfig c = Benchmarks.size("organism");
        double expected = 3 * 10 * Flops.forwardPerToken(c, 10)
                + 3 * (Flops.forwardPerToken(c, 11) + Flops.forwardPerToken(c, 12) + Flops.forwardPerToken(c, 13));
        assertThat(Flops.generate(c, 3, 10, 4)).isCloseTo(expected, within(1e-3));
        assertThat(Flops.generate(c, 3, 10, 1)).isEqualTo(Flops.forward(c, 3, 10));
    }

    @Test
    void completionIsATrainingStepPlusOneForwardPerRecomputedTeacher() {
        ModelConfig c = Benchmarks.size("organism");
        assertThat(Flops.completion(c, 4, 64, 0)).isEqualTo(Flops.train(c, 4, 64));
        // 6 x params per student token + 2 x params per token for each of base and aligned (plus attention)
        assertThat(Flops.completion(c, 4, 64, 2)).isEqualTo(5 * Flops.forward(c, 4, 64));
    }

    @Test
    void sizesAreTheDocumentedShapes() {
        ModelConfig org = Benchmarks.size("organism");
        assertThat(new int[] {org.hiddenSize(), org.numLayers(), org.numHeads(), org.numKvHeads(), org.intermediateSize(), org.vocabSize()})
                .containsExactly(128, 4, 4, 2, 384, 1400);
        ModelConfig h = Benchmarks.size("h512");
        assertThat(new int[] {h.hiddenSize(), h.numLayers(), h.numHeads(), h.numKvHeads(), h.intermediateSize(), h.vocabSize()})
                .containsExactly(512, 8, 8, 8, 1536, 2000);
        assertThat(h.tieWordEmbeddings()).isFalse();
        assertThatThrownBy(() -> Benchmarks.size("h9000")).isInstanceOf(DeepalignException.class).hasMessageContaining("use organism or h512");
    }
}
