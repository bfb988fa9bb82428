package deepalign.judge;

/** What a judge sees: the (harmful) prompt, the model's response and, where known, the harm category. */
public record JudgeRequest(String prompt, String response, String category) {}
