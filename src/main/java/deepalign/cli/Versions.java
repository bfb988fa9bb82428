package deepalign.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** Versions of deepalign and the stack under it, for --version and every report's "versions" key. */
public final class Versions {
    private Versions() {}

    public static String deepalign() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }

    public static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("deepalign", deepalign());
        m.put("java", System.getProperty("java.version"));
        m.put("djl", ai.djl.engine.Engine.getDjlVersion());
        ai.djl.engine.Engine e = ai.djl.engine.Engine.getInstance();
        m.put("engine", e.getEngineName());
        m.put("pytorch", e.getVersion());
        return m;
    }

    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"deepalign " + deepalign() + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
