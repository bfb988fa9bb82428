package deepalign.eval;

import deepalign.attack.Attempt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An attack's summary and its per-prompt records, as written to the result JSON. */
public record SafetyResult(String model, String attack, String judge, String defense, Rates summary, List<Map<String, Object>> records) {

    public static SafetyResult of(String model, String attack, String judge, String defense, List<Attempt> attempts) {
        List<Map<String, Object>> records = attempts.stream().map(SafetyResult::record).toList();
        return new SafetyResult(model, attack, judge, defense, Rates.of(attempts), records);
    }

    static Map<String, Object> record(Attempt a) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", a.example().id());
        r.put("prompt", a.example().prompt());
        if (a.example().category() != null) r.put("category", a.example().category());
        if (a.injected() != null && !a.injected().isEmpty()) r.put("injected", a.injected());
        r.put("response", a.response());
        r.put("verdict", a.result().verdict().label());
        if (a.result().score() != null) r.put("score", a.result().score());
        if (a.result().reason() != null) r.put("reason", a.result().reason());
        if (a.setting() != null) r.put("setting", a.setting());
        return r;
    }
}
