package deepalign.train;

import com.fasterxml.jackson.databind.JsonNode;
import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.model.CachedStepModel;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training pairs (prompt ids, response ids) for completion training and its baselines. Prompts are
 * rendered with the aligned model's chat template (the student's). Responses come from the dataset's
 * {@code response} field or are generated (harmful: by the base model; utility: by the aligned model)
 * and saved to a JSONL file with their token ids, so a resumed run trains on exactly the same tokens.
 */
public final class TrainingData {
    /** Where responses come from. */
    public enum Source {
        DATASET, BASE, ALIGNED;

        public static Source parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "dataset" -> DATASET;
                case "base" -> BASE;
                case "aligned" -> ALIGNED;
                default -> throw new DeepalignException("unknown response source " + s + "; use dataset, base or aligned");
            };
        }
    }

    /**
     * @param harmful          JSONL of harmful prompts (with {@code response} when the source is dataset)
     * @param utility          JSONL of benign prompts
     * @param harmfulResponses dataset or base
     * @param utilityResponses dataset or aligned
     * @param maxNewTokens     generation budget for generated responses
     * @param temperature      0 = greedy generation, else sampled with {@code seed}
     * @param maxLength        longest training sequence; longer responses are cut at the end
     */
    public record Config(Path harmful, Path utility, Source harmfulResponses, Source utilityResponses, int maxNewTokens,
                         double temperature, long seed, int maxLength) {
        public static Config defaults(Path harmful, Path utility) {
            return new Config(harmful, utility, Source.BASE, Source.DATASET, 128, 0.0, 0, 512);
        }
    }

    /** One training pair; {@code response} ends with the end-of-turn id unless it was cut by a length limit. */
    public record Pair(Example example, int[] prompt, int[] response) {
        public Sequence sequence() {
            return Sequence.promptResponse(prompt, response);
        }
    }

    /** File in a run directory that records the generated harmful responses (see {@link #generated}). */
    public static final String HARMFUL_RESPONSES = "harmful_responses.jsonl";

    private TrainingData() {}

    /**
     * Gives run directory {@code to} the harmful responses already generated in run directory {@code from}
     * (when it has none yet), so a later run on the same prompts and base reloads them instead of generating
     * again. Safe to call for any pair of runs: a file whose prompts or generator differ is regenerated.
     */
    public static void reuseResponses(Path from, Path to) {
        Path src = from.resolve(HARMFUL_RESPONSES);
        Path dst = to.resolve(HARMFUL_RESPONSES);
        try {
            if (Files.isRegularFile(src) && !Files.exists(dst)) {
                Files.createDirectories(to);
                Files.copy(src, dst);
            }
        } catch (IOException e) {
            throw new DeepalignException("cannot copy " + src + " to " + dst + ": " + e.getMessage(), e);
        }
    }

    /** Harmful pairs; {@code base} may be null unless the source is BASE. */
    public static List<Pair> harmful(Config cfg, LanguageModel aligned, LanguageModel base, Path generatedFile) {
        List<Example> ex = Jsonl.readExamples(cfg.harmful());
        return switch (cfg.harmfulResponses()) {
            case DATASET -> fromDataset(cfg.harmful(), ex, aligned, cfg.maxLength());
            case BASE -> generated(cfg, ex, aligned, base, generatedFile);
            case ALIGNED -> throw new DeepalignException("harmful responses come from the dataset or the base model, not the aligned model");
        };
    }

    public static List<Pair> utility(Config cfg, LanguageModel aligned, Path generatedFile) {
        List<Example> ex = Jsonl.readExamples(cfg.utility());
        return switch (cfg.utilityResponses()) {
            case DATASET -> fromDataset(cfg.utility(), ex, aligned, cfg.maxLength());
            case ALIGNED -> generated(cfg, ex, aligned, aligned, generatedFile);
            case BASE -> throw new DeepalignException("utility responses come from the dataset or the aligned model, not the base model");
        };
    }

    /** The id that closes an assistant turn: the chat template's eos token, else the model's first eos id. */
    public static int endOfTurn(LanguageModel model) {
        return model.chat().eosId().orElse(model.eosIds().iterator().next());
    }

    /**
     * The dataset's helpful answer: for a multiple-choice item the gold option's text (what the mc
     * evaluation scores), otherwise the {@code response} field.
     */
    public static String datasetResponse(Example ex) {
        if (!ex.choices().isEmpty() && ex.answer() != null) {
            try {
                return ex.choices().get(Integer.parseInt(ex.answer().trim()));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                return ex.response();
            }
        }
        return ex.response();
    }

    static List<Pair> fromDataset(Path file, List<Example> examples, LanguageModel model, int maxLength) {
        int end = endOfTurn(model);
        List<Pair> out = new ArrayList<>();
        for (Example ex : examples) {
            String text = datasetResponse(ex);
            if (text == null || text.isBlank()) {
                throw new DeepalignException(file + ": example " + ex.id() + " has no response; use generated responses instead");
            }
            int[] r = model.tokenizer().encode(text);
            int[] withEnd = Arrays.copyOf(r, r.length + 1);
            withEnd[r.length] = end;
            out.add(fit(file, ex, model.chat().encodePrompt(null, ex.prompt()), withEnd, maxLength));
        }
        return out;
    }

    /** Generates (or reloads from {@code file}, when it holds the same prompts) one response per prompt. */
    static List<Pair> generated(Config cfg, List<Example> examples, LanguageModel chatModel, LanguageModel generator, Path file) {
        if (generator == null) throw new DeepalignException("generated responses need a model to generate with");
        List<int[]> prompts = new ArrayList<>();
        for (Example ex : examples) prompts.add(chatModel.chat().encodePrompt(null, ex.prompt()));
        String how = generator.dir() + " max_new_tokens=" + cfg.maxNewTokens() + " temperature=" + cfg.temperature()
                + (cfg.temperature() > 0 ? " seed=" + cfg.seed() : "");
        List<int[]> responses = file == null ? null : reload(file, examples, how);
        if (responses == null) {
            GenerationConfig gen = GenerationConfig.greedy(cfg.maxNewTokens()).withBatchSize(32);
            if (cfg.temperature() > 0) gen = gen.withSampling(cfg.temperature(), 0, 1.0, cfg.seed());
            Generator g = new Generator(() -> new CachedStepModel(generator.transformer()), chatModel.eosIds(), chatModel.padId(),
                    chatModel::decode);
            int end = endOfTurn(chatModel);
            responses = new ArrayList<>();
            for (Generator.Generation out : g.generate(prompts, gen)) {
                int[] r = out.tokens();
                if (out.finishReason().equals("eos")) {
                    r = Arrays.copyOf(r, r.length + 1);
                    r[r.length - 1] = end;
                }
                responses.add(r);
            }
            if (file != null) save(file, examples, responses, chatModel, how);
        }
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            int[] r = responses.get(i);
            if (r.length == 0) r = new int[] {endOfTurn(chatModel)}; // a zero-token answer: train its end of turn
            out.add(fit(file, examples.get(i), prompts.get(i), r, cfg.maxLength()));
        }
        return out;
    }

    private static Pair fit(Path file, Example ex, int[] prompt, int[] response, int maxLength) {
        if (prompt.length >= maxLength) {
            throw new DeepalignException((file == null ? "" : file + ": ") + "prompt of example " + ex.id() + " has " + prompt.length
                    + " tokens, more than the training length " + maxLength);
        }
        int keep = Math.min(response.length, maxLength - prompt.length);
        return new Pair(ex, prompt, Arrays.copyOf(response, keep));
    }

    private static void save(Path file, List<Example> examples, List<int[]> responses, LanguageModel model, String how) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < examples.size(); i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", examples.get(i).id());
            r.put("prompt", examples.get(i).prompt());
            r.put("response", model.decode(responses.get(i)));
            r.put("response_ids", responses.get(i));
            r.put("generated_by", how);
            sb.append(Jsonl.toJson(r)).append('\n');
        }
        Jsonl.writeAtomic(file, sb.toString());
    }

    /** Saved responses when {@code file} holds these prompts in this order, generated the same way; else null. */
    private static List<int[]> reload(Path file, List<Example> examples, String how) {
        if (!Files.isRegularFile(file)) return null;
        List<JsonNode> rows = Jsonl.readTree(file);
        if (rows.size() != examples.size()) return null;
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            if (!examples.get(i).prompt().equals(r.path("prompt").asText(null)) || !how.equals(r.path("generated_by").asText(null))
                    || !r.has("response_ids")) {
                return null;
            }
            int[] ids = new int[r.get("response_ids").size()];
            for (int j = 0; j < ids.length; j++) ids[j] = r.get("response_ids").get(j).asInt();
            out.add(ids);
        }
        return out;
    }
}
