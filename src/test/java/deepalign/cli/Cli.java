package deepalign.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the real command line (Main's error handling) with this package's commands, capturing stdout and stderr. */
final class Cli {
    record Result(int exit, String out, String err) {}

    private Cli() {}

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        // Commands not yet listed in Commands.java; once they are, Main already has them.
        for (Object c : new Object[] {new InfoCommand(), new GenerateCommand(), new LogitsCommand(), new ModelCommand(), new BenchCommand()}) {
            String name = c.getClass().getAnnotation(CommandLine.Command.class).name();
            if (!cl.getSubcommands().containsKey(name)) cl.addSubcommand(c);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
