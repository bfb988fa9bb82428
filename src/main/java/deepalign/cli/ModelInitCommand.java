package deepalign.cli;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.model.Checkpoint;
import deepalign.model.ModelConfig;
import deepalign.model.ModelInit;
import deepalign.model.Transformer;
import deepalign.tokenize.WordLevelTokenizerWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepalign model init}: a randomly initialised checkpoint with a synthetic word-level tokenizer
 * (tokens {@code w0 w1 ...}) and a Llama-3 chat template, in the Hugging Face layout, for trying commands
 * and for tests without a real model.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Write a randomly initialised model (config.json, model.safetensors) with a synthetic "
                + "word-level tokenizer whose words are w0, w1, ... and a Llama-3 chat template.",
                "Example: model init --arch llama --hidden 64 --layers 2 --heads 4 --kv-heads 2 --intermediate 192 "
                + "--vocab 500 --out /tmp/m  then  generate --model /tmp/m --prompt \"w1 w2\""})
public final class ModelInitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "ARCH", description = "llama, qwen2 or mistral.")
    String arch;

    @Option(names = "--hidden", required = true, paramLabel = "H", description = "Hidden size.")
    int hidden;

    @Option(names = "--layers", required = true, paramLabel = "L", description = "Number of decoder layers.")
    int layers;

    @Option(names = "--heads", required = true, paramLabel = "N", description = "Attention (query) heads.")
    int heads;

    @Option(names = "--kv-heads", paramLabel = "K", description = "Key/value heads; must divide --heads (default: --heads).")
    Integer kvHeads;

    @Option(names = "--intermediate", required = true, paramLabel = "I", description = "MLP intermediate size.")
    int intermediate;

    @Option(names = "--vocab", required = true, paramLabel = "V",
            description = "Vocabulary size, at least 10 (7 special tokens and 3 role words come first).")
    int vocab;

    @Option(names = "--head-dim", paramLabel = "D", description = "Per-head size (default: hidden / heads).")
    Integer headDim;

    @Option(names = "--tied", description = "Tie the LM head to the token embeddings.")
    boolean tied;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write; must be empty or new unless --force.")
    Path out;

    @Option(names = "--force", description = "Write into a non-empty --out, replacing files of the same names.")
    boolean force;

    @Override
    public Integer call() {
        ModelConfig config = config();
        checkOut();
        WordLevelTokenizerWriter.writeSynthetic(out, vocab);
        try (NDManager manager = NDManager.newBaseManager();
                Transformer model = ModelInit.random(config, manager, seed)) {
            Checkpoint.save(model, out);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote a random %s with %,d parameters to %s%n", config.architecture().hfName(), config.parameterCount(), out);
        w.flush();
        return 0;
    }

    /** The shape asked for, validated before anything is written. */
    ModelConfig config() {
        ModelConfig.Arch a = switch (arch.toLowerCase(Locale.ROOT)) {
            case "llama" -> ModelConfig.Arch.LLAMA;
            case "qwen2" -> ModelConfig.Arch.QWEN2;
            case "mistral" -> ModelConfig.Arch.MISTRAL;
            default -> throw new DeepalignException("unknown --arch '" + arch + "'; use llama, qwen2 or mistral.");
        };
        int fixed = WordLevelTokenizerWriter.specialTokens().size() + 3; // + the role words system, user, assistant
        if (vocab < fixed) throw new DeepalignException("--vocab must be at least " + fixed + " (special tokens and role words), not " + vocab + ".");
        List<String> specials = WordLevelTokenizerWriter.specialTokens();
        ModelConfig.Builder b = ModelConfig.builder(a, vocab, hidden, intermediate, layers, heads, kvHeads != null ? kvHeads : heads)
                .tieWordEmbeddings(tied)
                .bosTokenId(specials.indexOf(WordLevelTokenizerWriter.BOS))
                .eosTokenIds(List.of(specials.indexOf(WordLevelTokenizerWriter.END_OF_TEXT), specials.indexOf(WordLevelTokenizerWriter.EOT)));
        if (headDim != null) b.headDim(headDim);
        return b.build();
    }

    private void checkOut() {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new DeepalignException("--out " + out + " is a file, not a directory.");
        if (!Files.isDirectory(out) || force) return;
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.findAny().isPresent()) {
                throw new DeepalignException(out + " is not empty; choose a new directory or pass --force to write into it.");
            }
        } catch (IOException e) {
            throw new DeepalignException("cannot read " + out + ": " + e.getMessage(), e);
        }
    }
}
