package deepalign.cli;

import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.organism.Organisms;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** What the eval subcommands share: finding the organism a model belongs to, default data, reading prompts. */
final class EvalSupport {
    private EvalSupport() {}

    /**
     * The organism directory a model belongs to: the default organism when no --model is given, the
     * model's parent when that holds organism.json, else null (a model from elsewhere).
     */
    static Path organismOf(ModelOptions model) {
        if (model.model == null) return Organisms.defaultOrganism().dir();
        Path parent = model.model.toAbsolutePath().normalize().getParent();
        return parent != null && Files.isRegularFile(parent.resolve("organism.json")) ? parent : null;
    }

    /** --data, or the organism's split when --data is absent. */
    static Path dataFile(Path data, ModelOptions model, String split) {
        if (data != null) return data;
        Path organism = organismOf(model);
        if (organism == null) {
            throw new DeepalignException("--data is required: " + model.model + " is not inside an organism directory, so there is no default "
                    + split + ".jsonl.");
        }
        return organism.resolve("data").resolve(split + ".jsonl");
    }

    static List<Example> readExamples(Path file, Integer limit) {
        if (!Files.isRegularFile(file)) throw new DeepalignException("data file " + file + " does not exist.");
        if (limit != null && limit < 1) throw new DeepalignException("--limit must be at least 1, got " + limit + ".");
        List<Example> all = Jsonl.readExamples(file);
        if (all.isEmpty()) throw new DeepalignException(file + " holds no examples.");
        return limit == null || limit >= all.size() ? all : all.subList(0, limit);
    }

    static void checkPositive(String option, int value) {
        if (value < 1) throw new DeepalignException(option + " must be at least 1, got " + value + ".");
    }

    static void print(CommandSpec spec, String text) {
        PrintWriter w = spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true);
        w.print(text.endsWith("\n") ? text : text + "\n");
        w.flush();
    }
}
