package deepalign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * picocli prints each element of a description array on its own line and wraps it at 80 columns, so an element that
 * stops mid-phrase shows as a broken line in --help. Every element must end a sentence, a clause or a list.
 */
class HelpTextTest {
    @Test
    void everyDescriptionLineOfEveryCommandEndsASentenceOrClause() {
        List<String> broken = new ArrayList<>();
        visit(Main.commandLine(), broken);
        assertThat(broken).as("description lines that stop mid-phrase").isEmpty();
    }

    @Test
    void everyCommandAndOptionIsDescribed() {
        List<String> missing = new ArrayList<>();
        walk(Main.commandLine(), spec -> {
            if (spec.usageMessage().description().length == 0) missing.add(spec.qualifiedName());
            for (OptionSpec o : spec.options()) {
                if (o.description().length == 0) missing.add(spec.qualifiedName() + " " + o.longestName());
            }
        });
        assertThat(missing).isEmpty();
    }

    private static void visit(CommandLine cl, List<String> broken) {
        walk(cl, spec -> {
            check(spec.qualifiedName(), spec.usageMessage().description(), broken);
            for (OptionSpec o : spec.options()) check(spec.qualifiedName() + " " + o.longestName(), o.description(), broken);
            for (PositionalParamSpec p : spec.positionalParameters()) check(spec.qualifiedName() + " " + p.paramLabel(), p.description(), broken);
        });
    }

    private static void walk(CommandLine cl, java.util.function.Consumer<CommandSpec> each) {
        each.accept(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().parent() == cl.getCommandSpec()) walk(sub, each); // aliases point to the same command
        }
    }

    private static void check(String where, String[] lines, List<String> broken) {
        for (String line : lines) {
            String t = line.replace("%n", "").strip(); // picocli's own help command ends its line with a format newline
            if (t.isEmpty()) continue;
            char last = t.charAt(t.length() - 1);
            if (".:;)!?\"'`}]".indexOf(last) < 0) broken.add(where + ": \"" + t + "\"");
        }
    }
}
