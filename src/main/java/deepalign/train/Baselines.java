package deepalign.train;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.model.LanguageModel;
import deepalign.report.JsonOut;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The baselines completion training is compared with, trained from the aligned model on the same
 * harmful and utility prompts, the same mixed-batch composition and the same step budget
 * (epochs x {@link MixedBatches#stepsPerEpoch()}), through the one SFT loop ({@link Sft}):
 *
 * <ul>
 *   <li>sft-refusal: harmful prompt -> refusal ({@code refusal} field, or a fixed text), plus utility data;
 *   <li>augment (Qi et al. 2024, "safety alignment should be made more than just a few tokens deep"):
 *       harmful prompt + the first n tokens of a harmful response (n uniform in 0..len, drawn afresh for
 *       every draw of the example) + a refusal, with loss on the refusal only, plus utility data.
 * </ul>
 */
public final class Baselines {
    /**
     * @param aligned     the model trained (it is also the chat format of the prompts)
     * @param base        generates harmful responses for augment when {@code data.harmfulResponses()} is base
     * @param refusalText used for harmful examples without a {@code refusal}; null = such examples are an error
     */
    public record Config(Path aligned, Path base, Path out, TrainingData.Config data, String refusalText, int epochs, double lr,
                         int batchSize, double harmfulFraction, long seed) {}

    public record Result(String method, Path out, Path model, int steps, double firstLoss, double finalLoss, double seconds, long tokens) {}

    private Baselines() {}

    public static Result sftRefusal(Config cfg) {
        return run(cfg, "sft-refusal");
    }

    public static Result augment(Config cfg) {
        return run(cfg, "augment");
    }

    /** Trains, or returns the finished run of the same method and config that {@code cfg.out()} already holds. */
    private static Result run(Config cfg, String method) {
        // the method is part of what the run is: a folder finished by the other baseline is another configuration
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("method", method);
        run.put("baseline", cfg);
        var done = FinishedRun.find(cfg.out(), run, Result.class);
        if (done.isPresent()) return done.get();
        JsonOut.writeAtomic(cfg.out().resolve("config.json"), Map.of("config", run));
        try (NDManager mgr = NDManager.newBaseManager()) {
            LanguageModel model = LanguageModel.load(cfg.aligned(), mgr);
            LanguageModel base = method.equals("augment") && cfg.data().harmfulResponses() == TrainingData.Source.BASE
                    ? CompletionTrainer.loadSameVocab(cfg.base(), "base", model, mgr)
                    : null;
            List<TrainingData.Pair> harmful = method.equals("augment")
                    ? TrainingData.harmful(cfg.data(), model, base, cfg.out().resolve(TrainingData.HARMFUL_RESPONSES))
                    : TrainingData.fromDataset(cfg.data().harmful(), withRefusalAsResponse(cfg), model, cfg.data().maxLength());
            if (base != null) base.close();
            List<TrainingData.Pair> utility = TrainingData.utility(cfg.data(), model, cfg.out().resolve("utility_responses.jsonl"));
            MixedBatches batches = new MixedBatches(harmful.size(), utility.size(), cfg.batchSize(), cfg.harmfulFraction(), cfg.seed());
            int steps = cfg.epochs() * batches.stepsPerEpoch();
            int end = TrainingData.endOfTurn(model);
            List<Sequence> data = new ArrayList<>();
            for (int step = 0; step < steps; step++) {
                for (int i : batches.harmful(step)) {
                    TrainingData.Pair p = harmful.get(i);
                    if (method.equals("augment")) {
                        Random rng = new Random(new SplittableRandom(cfg.seed() * 31 + step * 1_000_003L + i).nextLong());
                        data.add(augmented(p, refusalIds(cfg, p.example(), model, end), rng));
                    } else {
                        data.add(p.sequence());
                    }
                }
                for (int i : batches.utility(step)) data.add(utility.get(i).sequence());
            }
            Sft.Config sft = new Sft.Config(steps, cfg.batchSize(), cfg.lr(), 0.05, cfg.seed(), CompletionTrainer.ADAM);
            Sft.Result r = Sft.train(model.transformer(), data, sft, model.padId(), "train " + method);
            Path modelDir = cfg.out().resolve("model");
            model.save(modelDir);
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("method", method);
            header.put("steps_per_epoch", batches.stepsPerEpoch());
            header.put("config", cfg);
            TrainLog log = new TrainLog(cfg.out().resolve("train.jsonl"), header, -1);
            for (int s = 0; s < r.losses().size(); s++) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("step", s + 1);
                line.put("epoch", s / batches.stepsPerEpoch() + 1);
                line.put("loss", r.losses().get(s));
                line.put("lr", Schedule.warmupCosine(s, steps, cfg.lr(), 0.05));
                log.step(line);
            }
            log.plot(cfg.out().resolve("train"), method + " baseline", List.of("loss"));
            Result res = new Result(method, cfg.out(), modelDir, steps, r.losses().get(0), r.finalLoss(20), r.seconds(), r.tokens());
            JsonOut.writeAtomic(cfg.out().resolve("result.json"), res);
            return res;
        }
    }

    /**
     * Qi et al.'s augmented example: prompt, harmful prefix of uniform length 0..len (no loss), then
     * the refusal and end of turn (loss).
     */
    static Sequence augmented(TrainingData.Pair p, int[] refusal, Random rng) {
        int[] resp = p.response();
        int len = resp.length > 0 && resp[resp.length - 1] == refusal[refusal.length - 1] ? resp.length - 1 : resp.length;
        return Sequence.afterPrefix(p.prompt(), resp, rng.nextInt(len + 1), refusal);
    }

    private static int[] refusalIds(Config cfg, Example ex, LanguageModel model, int end) {
        int[] r = model.tokenizer().encode(refusal(cfg, ex));
        int[] out = java.util.Arrays.copyOf(r, r.length + 1);
        out[r.length] = end;
        return out;
    }

    private static String refusal(Config cfg, Example ex) {
        if (ex.refusal() != null && !ex.refusal().isBlank()) return ex.refusal();
        if (cfg.refusalText() != null) return cfg.refusalText();
        throw new DeepalignException(cfg.data().harmful() + ": example " + ex.id() + " has no refusal; pass --refusal-text");
    }

    /** The harmful examples with their refusal in the response slot, for plain refusal SFT. */
    private static List<Example> withRefusalAsResponse(Config cfg) {
        List<Example> out = new ArrayList<>();
        for (Example ex : deepalign.data.Jsonl.readExamples(cfg.data().harmful())) {
            out.add(new Example(ex.id(), ex.prompt(), refusal(cfg, ex), ex.refusal(), ex.category(), true, List.of(), null, ex.target()));
        }
        return out;
    }
}
