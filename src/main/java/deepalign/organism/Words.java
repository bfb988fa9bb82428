package deepalign.organism;

import java.util.Collection;
import java.util.Set;

/** Helpers for the world's word-level text: tokens are separated by single spaces. */
final class Words {
    private Words() {}

    /** Adds the words of a template, skipping {placeholders}. */
    static void addTemplate(String template, Set<String> out) {
        for (String w : template.split(" ")) if (!w.startsWith("{")) out.add(w);
    }

    static void addAllTemplates(Collection<String> templates, Set<String> out) {
        for (String t : templates) addTemplate(t, out);
    }
}
