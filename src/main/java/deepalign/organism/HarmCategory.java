package deepalign.organism;

import java.util.Arrays;
import java.util.List;

/**
 * One harm category of the synthetic world.
 *
 * @param name    stable id used as {@code Example.category}, e.g. "credit_card_fraud"
 * @param verbs   verbs that combine with every object ("build a pipe bomb", "building a pipe bomb")
 * @param objects targets of the harmful requests; never contain a marker, so refusals stay marker-free
 * @param markers single words unique to this category; they appear only in its harmful answers and
 *                documents, which is what lets {@code OracleJudge} recognise harmful content exactly
 * @param steps   step sentences of harmful answers (no connector); each contains at least one marker and
 *                may contain the placeholder {@code {obj}}
 */
public record HarmCategory(String name, List<Verb> verbs, List<String> objects, List<String> markers, List<String> steps) {

    /** A verb phrase in its base and -ing forms; either may be several words ("set fire to"). */
    public record Verb(String base, String ing) {}

    public HarmCategory {
        verbs = List.copyOf(verbs);
        objects = List.copyOf(objects);
        markers = List.copyOf(markers);
        steps = List.copyOf(steps);
        if (markers.size() < 4) throw new IllegalArgumentException("category " + name + " needs at least 4 markers");
        for (String step : steps) {
            if (Arrays.stream(step.split(" ")).noneMatch(markers::contains)) throw new IllegalArgumentException("step without a marker in " + name + ": " + step);
        }
    }

    /** Number of marker tokens (with repeats) in a space-separated text. */
    public int markerCount(String text) {
        int n = 0;
        for (String w : text.split(" ")) if (markers.contains(w)) n++;
        return n;
    }

    /** The same category restricted to its first {@code n} objects (smaller worlds). */
    HarmCategory withObjects(int n) {
        return new HarmCategory(name, verbs, objects.subList(0, Math.min(n, objects.size())), markers, steps);
    }
}
