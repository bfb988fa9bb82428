package deepalign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import deepalign.DeepalignException;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint directory brought to life: the transformer, its tokenizer and chat template. This is
 * what most of deepalign passes around.
 */
public final class LanguageModel implements AutoCloseable {
    /** Files copied alongside the weights when a model is saved. */
    private static final List<String> SIDE_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json");

    private final Path dir;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final ChatEncoder chat;

    public LanguageModel(Path dir, Transformer transformer, Tokenizer tokenizer, ChatEncoder chat) {
        this.dir = dir;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.chat = chat;
    }

    public static LanguageModel load(Path dir, NDManager manager) {
        return load(dir, manager, DataType.FLOAT32);
    }

    public static LanguageModel load(Path dir, NDManager manager, DataType computeType) {
        if (!Files.isDirectory(dir)) throw new DeepalignException("model directory " + dir + " does not exist");
        Transformer t = Checkpoint.load(dir, manager, computeType);
        Tokenizer tok = Tokenizer.load(dir);
        if (tok.vocabSize() > t.config().vocabSize()) {
            throw new DeepalignException(dir.resolve("tokenizer.json") + " has " + tok.vocabSize()
                    + " tokens but config.json says vocab_size " + t.config().vocabSize());
        }
        ChatEncoder chat = ChatEncoder.of(tok, TokenizerConfig.load(dir));
        return new LanguageModel(dir, t, tok, chat);
    }

    public Path dir() {
        return dir;
    }

    public Transformer transformer() {
        return transformer;
    }

    public ModelConfig config() {
        return transformer.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatEncoder chat() {
        return chat;
    }

    /** Ids that end an answer: config.json's eos ids plus the tokenizer's eos token. */
    public Set<Integer> eosIds() {
        Set<Integer> ids = new LinkedHashSet<>(config().eosTokenIds());
        chat.eosId().ifPresent(ids::add);
        tokenizer.tokenToId("<|eot_id|>").ifPresent(ids::add);
        tokenizer.tokenToId("<|im_end|>").ifPresent(ids::add);
        if (ids.isEmpty()) throw new DeepalignException(dir + " defines no eos token (config.json eos_token_id or tokenizer_config.json eos_token)");
        return ids;
    }

    /** Padding id: tokenizer's pad token when it has one, else the first eos id (masked out anyway). */
    public int padId() {
        return tokenizer.tokenToId("<pad>").orElse(eosIds().iterator().next());
    }

    public String decode(int[] ids) {
        return tokenizer.decode(ids, true);
    }

    public Generator generator() {
        return new Generator(() -> new CachedStepModel(transformer), eosIds(), padId(), this::decode);
    }

    /** Greedy or sampled answers to user prompts, rendered with the chat template. */
    public List<String> answer(List<String> prompts, GenerationConfig cfg) {
        List<int[]> ids = new ArrayList<>();
        for (String p : prompts) ids.add(chat.encodePrompt(null, p));
        List<String> out = new ArrayList<>();
        for (Generator.Generation g : generator().generate(ids, cfg)) out.add(decode(g.tokens()));
        return out;
    }

    /** A deep copy of the weights in {@code manager} (students start as a copy of the aligned model). */
    public LanguageModel copy(NDManager manager) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : transformer.parameters().entrySet()) {
            NDArray c = e.getValue().duplicate();
            c.attach(manager);
            p.put(e.getKey(), c);
        }
        return new LanguageModel(dir, new Transformer(config(), manager, p), tokenizer, chat);
    }

    /** Same tokenizer files, new weights: the layout HF transformers and vLLM load unchanged. */
    public void save(Path out) {
        Checkpoint.save(transformer, out);
        copySideFiles(dir, out);
    }

    public static void copySideFiles(Path from, Path to) {
        try {
            Files.createDirectories(to);
            for (String f : SIDE_FILES) {
                Path src = from.resolve(f);
                if (Files.isRegularFile(src) && !src.toAbsolutePath().normalize().equals(to.resolve(f).toAbsolutePath().normalize())) {
                    Files.copy(src, to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new DeepalignException("cannot copy tokenizer files from " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        transformer.close();
    }
}
