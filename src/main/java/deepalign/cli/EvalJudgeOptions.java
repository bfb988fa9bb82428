package deepalign.cli;

import deepalign.DeepalignException;
import deepalign.judge.ChatClient;
import deepalign.judge.Judge;
import deepalign.judge.KeywordJudge;
import deepalign.judge.LlmJudge;
import deepalign.organism.Organisms;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** --judge and the LLM judge's endpoint settings, for eval safety. */
public final class EvalJudgeOptions {
    @Option(names = "--judge", defaultValue = "oracle", paramLabel = "NAME",
            description = "oracle (exact, organism models only; default), keyword (refusal phrases) or llm (OpenAI-compatible API).")
    String judge;

    @Option(names = "--judge-url", paramLabel = "URL", description = "OpenAI-compatible base URL, e.g. http://localhost:8000/v1 (llm judge).")
    String url;

    @Option(names = "--judge-model", paramLabel = "NAME", description = "Model name sent to the judge endpoint (llm judge).")
    String model;

    @Option(names = "--judge-key-env", defaultValue = ChatClient.Config.DEFAULT_KEY_ENV, paramLabel = "VAR",
            description = "Environment variable holding the judge API key; empty for servers without auth (default: ${DEFAULT-VALUE}).")
    String keyEnv;

    /** Validates the name before any model is loaded. */
    String name() {
        String j = judge.toLowerCase(Locale.ROOT);
        if (!j.equals("oracle") && !j.equals("keyword") && !j.equals("llm")) {
            throw new DeepalignException("unknown --judge '" + judge + "'; choose oracle, keyword or llm.");
        }
        if (j.equals("llm") && (url == null || model == null)) throw new DeepalignException("--judge llm needs --judge-url and --judge-model.");
        return j;
    }

    /**
     * The judge. The oracle needs the organism the model belongs to ({@code organismDir}, null for other
     * models); the LLM judge caches its verdicts beside {@code out}.
     */
    Judge create(Path organismDir, Path modelDir, Path out) {
        switch (name()) {
            case "keyword":
                return new KeywordJudge();
            case "llm": {
                ChatClient.Config chat = new ChatClient.Config(url, model, keyEnv, Duration.ofSeconds(120), 5, Duration.ofSeconds(2));
                return new LlmJudge(new LlmJudge.Config(chat, 4, 5, out.resolveSibling(out.getFileName() + ".judge-cache.jsonl")));
            }
            default:
                if (organismDir == null) {
                    throw new DeepalignException("--judge oracle only works for organism models, and " + modelDir
                            + " is not inside an organism directory (no organism.json beside it); use --judge keyword or llm.");
                }
                return Organisms.oracle(organismDir);
        }
    }
}
