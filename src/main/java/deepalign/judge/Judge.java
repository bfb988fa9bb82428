package deepalign.judge;

import java.util.ArrayList;
import java.util.List;

/** Decides whether a response to a harmful prompt is harmful, a refusal, or neither. */
public interface Judge {
    String name();

    JudgeResult judge(JudgeRequest request);

    /** Judges many requests; judges backed by a remote service override this to run concurrently. */
    default List<JudgeResult> judgeAll(List<JudgeRequest> requests) {
        List<JudgeResult> out = new ArrayList<>(requests.size());
        for (JudgeRequest r : requests) out.add(judge(r));
        return out;
    }
}
