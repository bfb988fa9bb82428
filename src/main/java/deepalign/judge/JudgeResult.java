package deepalign.judge;

/** A verdict plus, for judges that give one, a 1-5 score and the judge's reason (null otherwise). */
public record JudgeResult(Verdict verdict, Integer score, String reason) {
    public static JudgeResult of(Verdict v) {
        return new JudgeResult(v, null, null);
    }
}
