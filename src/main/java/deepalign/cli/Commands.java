package deepalign.cli;

import java.util.List;

/** Every subcommand of the CLI, in the order --help lists them. */
final class Commands {
    private Commands() {}

    static List<Object> all() {
        return List.of(
                new DemoCommand(),
                new InfoCommand(),
                new GenerateCommand(),
                new LogitsCommand(),
                new ModelCommand(),
                new OrganismCommand(),
                new AnalyzeCommand(),
                new EvalCommand(),
                new AttackCommand(),
                new TrainCommand(),
                new JudgeCommand(),
                new BenchCommand());
    }
}
