package deepalign.data;

import java.util.List;

/**
 * One prompt of a dataset, as deepalign's JSONL files hold it.
 *
 * @param id       stable identifier
 * @param prompt   the user message
 * @param response a reference response: the harmful answer for harmful prompts (prefill source,
 *                 completion training), the helpful answer for benign ones; may be null
 * @param refusal  a refusal for harmful prompts (sft-refusal baseline); may be null
 * @param category harm category for harmful prompts, task name for benign ones; may be null
 * @param harmful  whether the prompt asks for harmful content
 * @param choices  answer options for multiple-choice prompts; empty otherwise
 * @param answer   gold answer: option index ("0".."3") for multiple choice, the number for math; may be null
 * @param target   affirmative target string for GCG (AdvBench "Sure, here is ..."); may be null
 */
public record Example(
        String id,
        String prompt,
        String response,
        String refusal,
        String category,
        boolean harmful,
        List<String> choices,
        String answer,
        String target) {

    public Example {
        choices = choices == null ? List.of() : List.copyOf(choices);
    }

    public static Example harmful(String id, String prompt, String response, String category) {
        return new Example(id, prompt, response, null, category, true, List.of(), null, null);
    }

    public static Example benign(String id, String prompt, String response, String category) {
        return new Example(id, prompt, response, null, category, false, List.of(), null, null);
    }
}
