package deepalign.train;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.data.Example;
import deepalign.data.Jsonl;
import deepalign.model.LanguageModel;
import deepalign.report.JsonOut;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fine-tuning attack (METHOD.md section 4; Qi et al. 2023): a few steps of SFT on a handful of
 * harmful (prompt, answer) pairs, loss on the answer. The broken model is then attacked directly.
 */
public final class FinetuneAttack {
    /** Defaults measured on the built-in organism (see the train package docs). */
    public static final int DEFAULT_STEPS = 20;
    public static final double DEFAULT_LR = 1e-3;

    /**
     * @param examples the first {@code examples} records of {@code harmful} (each needs a {@code response})
     * @param batchSize at most {@code examples}
     */
    public record Config(Path model, Path harmful, int examples, int steps, double lr, int batchSize, long seed, Path out) {
        public Config {
            if (examples < 1) throw new DeepalignException("--examples must be at least 1, got " + examples);
            if (steps < 1) throw new DeepalignException("--steps must be at least 1, got " + steps);
            if (!(lr > 0)) throw new DeepalignException("--lr must be positive, got " + lr);
        }
    }

    public record Result(Path out, Path model, int examples, int steps, double firstLoss, double finalLoss, double seconds) {}

    private FinetuneAttack() {}

    public static Result run(Config cfg) {
        List<Example> all = Jsonl.readExamples(cfg.harmful());
        if (all.size() < cfg.examples()) {
            throw new DeepalignException(cfg.harmful() + " has " + all.size() + " examples, fewer than --examples " + cfg.examples());
        }
        List<Example> chosen = all.subList(0, cfg.examples());
        var done = FinishedRun.find(cfg.out(), cfg, Result.class);
        if (done.isPresent()) return done.get();
        JsonOut.writeAtomic(cfg.out().resolve("config.json"), Map.of("config", cfg));
        try (NDManager mgr = NDManager.newBaseManager()) {
            LanguageModel model = LanguageModel.load(cfg.model(), mgr);
            List<Sequence> data = new ArrayList<>();
            for (TrainingData.Pair p : TrainingData.fromDataset(cfg.harmful(), chosen, model, 1 << 20)) data.add(p.sequence());
            int batch = Math.min(cfg.batchSize(), data.size());
            Sft.Config sft = new Sft.Config(cfg.steps(), batch, cfg.lr(), 0.0, cfg.seed(), CompletionTrainer.ADAM);
            Sft.Result r = Sft.train(model.transformer(), data, sft, model.padId(), "fine-tuning attack");
            Path dir = cfg.out().resolve("model");
            model.save(dir);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("config", cfg);
            json.put("losses", r.losses());
            Result res = new Result(cfg.out(), dir, cfg.examples(), cfg.steps(), r.losses().get(0), r.losses().get(r.losses().size() - 1), r.seconds());
            json.put("result", res);
            JsonOut.writeAtomic(cfg.out().resolve("attack.json"), json);
            JsonOut.writeAtomic(cfg.out().resolve("result.json"), res); // last: marks the run finished (FinishedRun)
            return res;
        }
    }
}
