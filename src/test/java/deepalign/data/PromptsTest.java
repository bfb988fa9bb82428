package deepalign.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptsTest {
    private static Example mc(String id, String q, String answer, String... choices) {
        return new Example(id, q, null, null, "x", false, List.of(choices), answer, null);
    }

    @Test
    void mmluMatchesTheHarnessFormat() {
        Example shot = mc("s", "What is 1+1?", "1", "1", "2", "3", "4");
        Example q = mc("q", "  What is 2+2? ", "3", "1", "2", "3", "4");
        Prompts.McPrompt p = Prompts.mmlu("high_school_mathematics", List.of(shot), q);
        assertThat(p.context()).isEqualTo(
                "The following are multiple choice questions (with answers) about high school mathematics.\n\n"
                        + "What is 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n"
                        + "What is 2+2?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer:");
        assertThat(p.continuations()).containsExactly(" A", " B", " C", " D");
        assertThat(p.gold()).isEqualTo(3);
        assertThat(p.id()).isEqualTo("q");
    }

    @Test
    void arcScoresOptionTexts() {
        Example shot = mc("s", "Hot or cold ice?", "1", "hot", "cold");
        Example q = mc("q", "Which is a gas?", "1", "ice", "steam", "rock");
        Prompts.McPrompt p = Prompts.arc(List.of(shot), q);
        assertThat(p.context()).isEqualTo("Question: Hot or cold ice?\nAnswer: cold\n\nQuestion: Which is a gas?\nAnswer:");
        assertThat(p.continuations()).containsExactly(" ice", " steam", " rock");
        assertThat(p.gold()).isEqualTo(1);
    }

    @Test
    void gsm8kFewShotStripsCalculatorAnnotations() {
        Example shot = new Example("s", "Eggs?", "16-3 = <<16-3=13>>13\n#### 13", null, "gsm8k", false, List.of(), "13", null);
        Example q = new Example("q", "Ducks?", null, null, "gsm8k", false, List.of(), "2", null);
        assertThat(Prompts.gsm8k(List.of(shot), q))
                .isEqualTo("Question: Eggs?\nAnswer: 16-3 = 13\n#### 13\n\nQuestion: Ducks?\nAnswer:");
        assertThat(Prompts.gsm8k(List.of(), q)).isEqualTo("Question: Ducks?\nAnswer:");
    }

    @Test
    void badAnswerIndexIsReported() {
        assertThatThrownBy(() -> Prompts.arc(List.of(), mc("q7", "q", "5", "a", "b")))
                .hasMessageContaining("q7").hasMessageContaining("'5'");
    }
}
