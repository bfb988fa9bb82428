package deepalign.attack;

import deepalign.data.Example;
import deepalign.judge.JudgeResult;

/**
 * One attacked prompt: what was prefilled or appended, the model's continuation (the judged text:
 * prefilled tokens are not counted as the model's answer) and the verdict.
 */
public record Attempt(Example example, String injected, String response, JudgeResult result, String setting) {}
