package deepalign.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.train.Baselines;
import deepalign.train.CompletionConfig;
import deepalign.train.TrainingData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Both refusal baselines read their options through one mixin; parsing only, no training. */
class TrainBaselineOptionsTest {
    private static final String[] ARGS = {"--base", "b", "--aligned", "a", "--harmful", "h.jsonl", "--utility", "u.jsonl",
        "--refusal-text", "No.", "--out", "run", "--seed", "3", "--harmful-fraction", "0.25", "--utility-responses", "aligned"};

    @Test
    void sftRefusalAndAugmentBuildTheSameConfig() {
        TrainSftRefusalCommand sft = new TrainSftRefusalCommand();
        new CommandLine(sft).parseArgs(ARGS);
        TrainAugmentCommand augment = new TrainAugmentCommand();
        new CommandLine(augment).parseArgs(ARGS);

        Baselines.Config c = sft.opts.config();
        assertThat(c.aligned()).isEqualTo(Path.of("a"));
        assertThat(c.base()).isEqualTo(Path.of("b"));
        assertThat(c.out()).isEqualTo(Path.of("run"));
        assertThat(c.refusalText()).isEqualTo("No.");
        assertThat(c.harmfulFraction()).isEqualTo(0.25);
        assertThat(c.seed()).isEqualTo(3L);
        // models given explicitly: the paper's schedule, not the organism's
        assertThat(c.epochs()).isEqualTo(CompletionConfig.PAPER_EPOCHS);
        assertThat(c.lr()).isEqualTo(CompletionConfig.PAPER_LR);
        assertThat(c.batchSize()).isEqualTo(CompletionConfig.DEFAULT_BATCH);
        assertThat(c.data().harmful()).isEqualTo(Path.of("h.jsonl"));
        assertThat(c.data().utility()).isEqualTo(Path.of("u.jsonl"));
        assertThat(c.data().harmfulResponses()).isEqualTo(TrainingData.Source.BASE);
        assertThat(c.data().utilityResponses()).isEqualTo(TrainingData.Source.ALIGNED);
        assertThat(c.data().seed()).isEqualTo(3L);
        assertThat(augment.opts.config()).isEqualTo(c);
    }

    @Test
    void outIsRequired() {
        assertThatThrownBy(() -> new CommandLine(new TrainAugmentCommand()).parseArgs("--base", "b", "--aligned", "a"))
                .isInstanceOf(CommandLine.MissingParameterException.class)
                .hasMessageContaining("--out");
    }
}
