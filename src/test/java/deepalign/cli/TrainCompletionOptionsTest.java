package deepalign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import deepalign.train.CompletionConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The teacher weights `train completion` resolves: given, the organism's measured ones, or METHOD.md's. */
class TrainCompletionOptionsTest {
    private static TrainDataOptions data(boolean organism) {
        TrainDataOptions d = new TrainDataOptions();
        if (!organism) {
            d.base = Path.of("b");
            d.aligned = Path.of("a");
        }
        return d;
    }

    @Test
    void theOrganismGetsItsOwnWeightsAndOtherModelsMethodMds() {
        TrainCompletionOptions k = new TrainCompletionOptions();
        assertThat(k.lambda(data(true))).isEqualTo(CompletionConfig.ORGANISM_LAMBDA);
        assertThat(k.lambdaUtility(data(true))).isEqualTo(CompletionConfig.ORGANISM_LAMBDA_UTILITY);
        assertThat(k.lambda(data(false))).isEqualTo(1.2);
        assertThat(k.lambdaUtility(data(false))).isNull();
    }

    @Test
    void givenWeightsWinAndALambdaAloneMeansOneWeightForEveryExample() {
        TrainCompletionOptions k = new TrainCompletionOptions();
        k.lambda = 1.2;
        assertThat(k.lambda(data(true))).isEqualTo(1.2);
        assertThat(k.lambdaUtility(data(true))).isNull();
        k.lambdaUtility = 2.0;
        assertThat(k.lambdaUtility(data(true))).isEqualTo(2.0);
        assertThat(k.lambdaUtility(data(false))).isEqualTo(2.0);
    }
}
