package deepalign.cli;

import deepalign.DeepalignException;
import deepalign.model.CheckpointFiles;
import deepalign.model.ModelConfig;
import deepalign.report.JsonOut;
import deepalign.report.Table;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepalign info}: what a checkpoint is, read from config.json, the safetensors headers and the tokenizer
 * files. The weights themselves are checked against the config but not loaded, so this is quick for any size.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Describe a model checkpoint: architecture, parameter count, dtype, vocabulary, context length, "
                + "layer shapes, tied embeddings, bos/eos tokens and whether it has its own chat template.",
                "The weights are checked against config.json (names and shapes) without being loaded."})
public final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        Map<String, Object> info = describe(modelOptions.modelDir());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOut.toJson(info));
        } else {
            Table t = Table.of("field", "value").title("model " + info.get("model"));
            info.forEach((k, v) -> {
                if (!k.equals("model")) t.row(k, v == null ? "none" : v.toString());
            });
            out.print(t.render());
        }
        out.flush();
        return 0;
    }

    /** The facts as ordered key/value pairs (the JSON keys). */
    public static Map<String, Object> describe(Path dir) {
        if (!Files.isDirectory(dir)) throw new DeepalignException("model directory " + dir + " does not exist.");
        ModelConfig c = ModelConfig.load(dir.resolve(CheckpointFiles.CONFIG));
        CheckpointFiles files = CheckpointFiles.open(dir);
        files.validate(c);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", dir.toString());
        m.put("architecture", c.architecture().hfName());
        m.put("parameters", c.parameterCount());
        m.put("dtype", c.torchDtype());
        m.put("vocab_size", c.vocabSize());
        m.put("context_length", c.maxPositionEmbeddings());
        m.put("layers", c.numLayers());
        m.put("hidden_size", c.hiddenSize());
        m.put("intermediate_size", c.intermediateSize());
        m.put("heads", c.numHeads());
        m.put("kv_heads", c.numKvHeads());
        m.put("head_dim", c.headDim());
        m.put("tied_embeddings", c.tieWordEmbeddings());
        m.put("attention_bias", c.attentionBias());
        m.put("rope_theta", c.ropeTheta());
        m.put("rope_scaling", c.ropeScaling() == null ? null : c.ropeScaling().type());
        m.put("sliding_window", c.slidingWindow());
        m.put("weight_files", new TreeSet<>(files.tensorNames().stream().map(n -> files.fileOf(n).getFileName().toString()).toList()).size());
        m.put("bos_token_id", c.bosTokenId());
        m.put("eos_token_ids", c.eosTokenIds());
        TokenizerConfig tc = TokenizerConfig.load(dir);
        m.put("eos_token", tc.eosToken());
        m.put("eos_token_id", null);
        if (Files.isRegularFile(dir.resolve(Tokenizer.FILE_NAME))) {
            try (Tokenizer tok = Tokenizer.load(dir)) {
                m.put("tokenizer_tokens", tok.vocabSize());
                if (tc.eosToken() != null) tok.tokenToId(tc.eosToken()).ifPresent(id -> m.put("eos_token_id", id));
            }
        } else {
            m.put("tokenizer_tokens", null);
        }
        // The same rule as ChatTemplate.of: without a template in the checkpoint, prompts use the built-in fallback.
        m.put("chat_template", tc.chatTemplate() != null ? "present" : "fallback (none in the checkpoint)");
        return m;
    }
}
