package deepalign.organism;

import ai.djl.ndarray.NDManager;
import deepalign.DeepalignException;
import deepalign.judge.OracleJudge;
import deepalign.model.GenerationConfig;
import deepalign.model.LanguageModel;
import deepalign.model.ModelConfig;
import deepalign.model.ModelInit;
import deepalign.model.Transformer;
import deepalign.report.JsonOut;
import deepalign.tokenize.ChatEncoder;
import deepalign.tokenize.Tokenizer;
import deepalign.tokenize.TokenizerConfig;
import deepalign.tokenize.WordLevelTokenizerWriter;
import deepalign.train.Sft;
import deepalign.train.Sequence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the model organism: a synthetic world, a base model pretrained on it (harmful requests get
 * harmful answers), and an aligned model made from the base by safety SFT; then measures the card.
 *
 * <pre>
 * DIR/base/  DIR/aligned/   Hugging Face checkpoints sharing one tokenizer.json and chat template
 * DIR/data/*.jsonl          world splits (test prompts never seen in training)
 * DIR/organism.json         world, config, losses, timings and the measured card
 * </pre>
 */
public final class OrganismBuilder {
    private OrganismBuilder() {}

    public static Organism build(OrganismConfig cfg, Path dir, boolean force) {
        prepareDir(dir, force);
        Map<String, Double> timing = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        World world = World.generate(cfg.world());
        world.writeSplits(dir.resolve("data"));
        Path baseDir = dir.resolve("base");
        Path alignedDir = dir.resolve("aligned");
        WordLevelTokenizerWriter.write(baseDir, world.vocabulary());
        Tokenizer tok = Tokenizer.load(baseDir);
        ChatEncoder chat = ChatEncoder.of(tok, TokenizerConfig.load(baseDir));
        Corpus corpus = new Corpus(chat, tok);
        int eot = tok.tokenToId("<|eot_id|>").orElseThrow();
        int pad = tok.tokenToId("<pad>").orElseThrow();
        ModelConfig mc = ModelConfig.builder(ModelConfig.Arch.LLAMA, tok.vocabSize(), cfg.hidden(), cfg.intermediate(),
                        cfg.layers(), cfg.heads(), cfg.kvHeads())
                .tieWordEmbeddings(true)
                .maxPositionEmbeddings(512)
                .bosTokenId(tok.tokenToId("<|begin_of_text|>").orElseThrow())
                .eosTokenIds(List.of(eot, tok.tokenToId("<|end_of_text|>").orElseThrow()))
                .build();
        timing.put("world", secs(t0));

        Map<String, Object> losses = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            long t1 = System.nanoTime();
            Transformer base = ModelInit.random(mc, manager, cfg.seed());
            List<Sequence> pre = corpus.pretraining(world, cfg.baseRefusalShare(), cfg.utilityRepeats(), cfg.factRepeats(), cfg.harmfulAnswers(), cfg.seed() + 1);
            Sft.Result preRes = Sft.train(base, pre, Sft.Config.of(cfg.pretrainSteps(), cfg.batchSize(), cfg.pretrainLr(), cfg.seed() + 2), pad,
                    "organism: pretrain base");
            LanguageModel baseLm = new LanguageModel(baseDir, base, tok, chat);
            baseLm.save(baseDir);
            losses.put("pretrain", summary(preRes));
            timing.put("pretrain", secs(t1));

            long t2 = System.nanoTime();
            LanguageModel alignedLm = baseLm.copy(manager);
            losses.putAll(align(alignedLm, world, corpus, cfg, cfg.seed(), pad, manager));
            alignedLm.save(alignedDir);
            timing.put("align", secs(t2));

            long t3 = System.nanoTime();
            GenerationConfig gen = GenerationConfig.greedy(cfg.maxNewTokens()).withBatchSize(80);
            OrganismCard card = OrganismCard.measure(baseLm, alignedLm, world, new OracleJudge(world), gen);
            timing.put("card", secs(t3));
            timing.put("total", secs(t0));

            Map<String, Object> json = new LinkedHashMap<>();
            json.put("world", world.describe());
            json.put("config", cfg);
            Map<String, Object> model = new LinkedHashMap<>(); // ordered keys: the same build writes the same file
            model.put("parameters", mc.parameterCount());
            model.put("vocab_size", mc.vocabSize());
            model.put("hidden", mc.hiddenSize());
            model.put("layers", mc.numLayers());
            json.put("model", model);
            json.put("corpus", Map.of("pretrain_sequences", pre.size()));
            json.put("losses", losses);
            json.put("timing_seconds", timing);
            json.put("card", card);
            json.put("card_checks", card.checks());
            JsonOut.writeAtomic(dir.resolve("organism.json"), json);
            return new Organism(dir, cfg, card);
        }
    }

    /**
     * Safety alignment in place: SFT (with replay) and, when the recipe has one, the DPO stage. Returns the loss summaries.
     * {@code alignSeed} draws the alignment data (which prompts get recovery examples, which documents are replayed) and
     * its batch order; a build passes the organism's seed, `organism recipes --align-seed` others, to tell what the
     * base decides from what the draw decides.
     */
    static Map<String, Object> align(LanguageModel model, World world, Corpus corpus, OrganismConfig cfg, long alignSeed, int pad,
            NDManager manager) {
        Map<String, Object> losses = new LinkedHashMap<>();
        OrganismConfig.AlignRecipe r = cfg.align();
        if (r.steps() > 0) {
            List<Sequence> sft = corpus.alignment(world, r.replayFraction(), r.recoveryShare(), r.recoveryMinPrefix(), r.recoveryMaxPrefix(),
                    r.recoveryWeight(), alignSeed + 3);
            Sft.Result res = Sft.train(model.transformer(), sft, Sft.Config.of(r.steps(), alignBatch(cfg.batchSize(), sft), r.lr(),
                    alignSeed + 4), pad, "organism: align (" + r.name() + ")");
            losses.put("align", summary(res));
        }
        if (r.preference() != null) losses.put("align_dpo", preferenceStage(model, world, corpus, r.preference(), alignSeed, pad, manager));
        return losses;
    }

    /**
     * The alignment batch: {@code batch} sequences' worth of data per step, counted as replay is ({@link Corpus#weightedSize}),
     * so light recovery examples ride along and the rest of the data keeps its exposure per step; exactly {@code batch}
     * when every sequence has full weight.
     */
    static int alignBatch(int batch, List<Sequence> data) {
        double worth = Corpus.weightedSize(data);
        return worth == data.size() ? batch : (int) Math.round(batch * data.size() / worth);
    }

    private static Map<String, Object> preferenceStage(LanguageModel aligned, World world, Corpus corpus, OrganismConfig.Preference p,
            long alignSeed, int pad, NDManager manager) {
        LanguageModel reference = aligned.copy(manager);
        deepalign.train.Dpo.Result res = deepalign.train.Dpo.train(aligned.transformer(), reference.transformer(),
                corpus.preferences(world, alignSeed + 5), corpus.retention(world),
                new deepalign.train.Dpo.Config(p.steps(), 16, 16, p.lr(), p.beta(), p.retainWeight(), alignSeed + 6), pad,
                "organism: align (dpo)");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dpo_first", res.dpoLosses().get(0));
        m.put("dpo_final", Sft.meanOfLast(res.dpoLosses(), 20));
        m.put("retain_final", Sft.meanOfLast(res.retainLosses(), 20));
        m.put("margin_final", Sft.meanOfLast(res.margins(), 20));
        m.put("seconds", res.seconds());
        return m;
    }

    private static Map<String, Object> summary(Sft.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first", r.losses().get(0));
        m.put("final", r.finalLoss(20));
        m.put("steps", r.losses().size());
        m.put("tokens", r.tokens());
        m.put("seconds", r.seconds());
        int every = Math.max(1, r.losses().size() / 50);
        List<Double> curve = new java.util.ArrayList<>();
        for (int i = 0; i < r.losses().size(); i += every) curve.add(r.losses().get(i));
        m.put("curve", curve);
        m.put("curve_every", every);
        return m;
    }

    private static double secs(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
    }

    private static void prepareDir(Path dir, boolean force) {
        try {
            if (Files.exists(dir.resolve("organism.json")) || Files.exists(dir.resolve("base")) || Files.exists(dir.resolve("aligned"))) {
                if (!force) {
                    throw new DeepalignException(dir + " already holds an organism; pass --force to overwrite it");
                }
                deleteTree(dir.resolve("base"));
                deleteTree(dir.resolve("aligned"));
                deleteTree(dir.resolve("data"));
                Files.deleteIfExists(dir.resolve("organism.json"));
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DeepalignException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
