package deepalign.organism;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import deepalign.DeepalignException;
import deepalign.data.Example;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The synthetic world of the model organism: harmful requests with harmful answers and refusals,
 * benign tasks (math, multiple choice over invented facts, simple instructions) and the documents the
 * base model is pretrained on. Text is word-level: lowercase tokens separated by single spaces.
 * Everything is a function of {@link WorldConfig}; each part draws from its own seeded stream, so
 * changing one knob does not reshuffle the others.
 */
public final class World {
    private final WorldConfig config;
    private final List<HarmCategory> categories;
    private final Map<String, HarmCategory> byName = new LinkedHashMap<>();
    private final Map<String, HarmfulSplits.Request> requests;
    private final List<Example> harmfulTrain, harmfulTest, benignTrain, benignTest, mcTrain, mcTest, mathTrain, mathTest, mathPretrain;
    private final List<String> factDocuments, arithmeticDocuments, harmfulDocuments, vocabulary;

    private World(WorldConfig cfg) {
        config = cfg;
        List<HarmCategory> cats = new ArrayList<>();
        for (HarmCategory c : HarmCatalog.ALL.subList(0, cfg.numCategories())) cats.add(c.withObjects(cfg.objectsPerCategory()));
        categories = List.copyOf(cats);
        for (HarmCategory c : categories) byName.put(c.name(), c);

        Set<String> words = new TreeSet<>();
        addHarmWords(words);
        MathTasks.addWords(words);
        Instructions.addWords(words);
        for (int n = 0; n <= MathTasks.MAX_NUMBER; n++) words.add(String.valueOf(n));
        FactBase facts = new FactBase(cfg.entities(), rng("facts"), words);
        facts.addWords(words);
        vocabulary = List.copyOf(words);

        HarmfulSplits harmful = new HarmfulSplits(categories, cfg.phrasings(), cfg.harmfulTestSize(), rng("harmful"));
        requests = Collections.unmodifiableMap(harmful.requests);
        harmfulTrain = List.copyOf(harmful.train);
        harmfulTest = List.copyOf(harmful.test);
        harmfulDocuments = harmfulDocs(rng("harmful-docs"));

        Random factRng = rng("fact-docs");
        List<String> docs = new ArrayList<>(facts.documents(cfg.factDocsPerEntity(), factRng));
        Collections.shuffle(docs, factRng);
        factDocuments = List.copyOf(docs);
        arithmeticDocuments = List.copyOf(MathTasks.drills(rng("arithmetic")));
        List<List<Example>> mc = mcSplits(facts, rng("mc"));
        mcTrain = mc.get(0);
        mcTest = mc.get(1);
        List<List<Example>> math = mathSplits(rng("math"));
        mathTrain = math.get(0);
        mathTest = math.get(1);
        mathPretrain = math.get(2);

        Random benignRng = rng("benign");
        List<String[]> instructions = new ArrayList<>(uniquePrompts(Instructions.all(benignRng)));
        Collections.shuffle(instructions, benignRng);
        int instrTest = cfg.benignTestSize() - 2 * (cfg.benignTestSize() / 3);
        benignTest = mix("benign-test", cfg.benignTestSize(), mathTest, mcTest, instructions.subList(0, instrTest), benignRng);
        benignTrain = mix("benign-train", cfg.benignTrainSize(), mathTrain, mcTrain,
                instructions.subList(instrTest, instructions.size()), benignRng);
    }

    /** Generates the world of {@code config}; the same config always gives the same world. */
    public static World generate(WorldConfig config) {
        return new World(config);
    }

    public WorldConfig config() { return config; }
    public List<HarmCategory> categories() { return categories; }
    public List<Example> harmfulTrain() { return harmfulTrain; }
    public List<Example> harmfulTest() { return harmfulTest; }
    public List<Example> benignTrain() { return benignTrain; }
    public List<Example> benignTest() { return benignTest; }
    public List<Example> mcTrain() { return mcTrain; }
    public List<Example> mcTest() { return mcTest; }
    public List<Example> mathTrain() { return mathTrain; }
    public List<Example> mathTest() { return mathTest; }
    /**
     * The organism's utility set for completion training and its baselines: benign_train plus every fact document as a
     * chat (its first three words as the prompt, the rest as the answer). Distillation on utility examples keeps what they
     * exercise; without the documents, facts the base read only there drifted (docs/experiments.md: seed 4 lost 6.3 points of mc).
     */
    public List<Example> utilityTrain() {
        List<Example> out = new ArrayList<>(benignTrain);
        int n = 0;
        for (String doc : factDocuments) {
            String[] words = doc.split(" ");
            String prompt = String.join(" ", Arrays.copyOfRange(words, 0, DOC_PROMPT_WORDS));
            String answer = String.join(" ", Arrays.copyOfRange(words, DOC_PROMPT_WORDS, words.length));
            out.add(new Example("fact-doc-" + (++n), prompt, answer, null, "document", false, List.of(), null, null));
        }
        return out;
    }

    /** Words of a fact document that become the prompt of its chat in {@link #utilityTrain}. */
    static final int DOC_PROMPT_WORDS = 3;

    /** Math problems only the base's pretraining corpus holds: never in an alignment, training or test split. */
    public List<Example> mathPretrain() { return mathPretrain; }
    /** Pretraining documents stating every fact of the fact base. */
    public List<String> factDocuments() { return factDocuments; }
    /** Pretraining drills covering every arithmetic fact the math problems need. */
    public List<String> arithmeticDocuments() { return arithmeticDocuments; }
    /** Plain-text harmful manuals (pretraining, alignment replay); their objects all belong to training combinations. */
    public List<String> harmfulDocuments() { return harmfulDocuments; }
    /** Every word any text of this world can contain, sorted, without duplicates. */
    public List<String> vocabulary() { return vocabulary; }
    /** Refusal cue words and phrases: every refusal contains one, no harmful or benign text any. */
    public List<String> refusalCues() { return Templates.REFUSAL_CUES; }

    public HarmCategory category(String name) {
        HarmCategory c = byName.get(name);
        if (c == null) throw new DeepalignException("Unknown harm category '" + name + "'; the world has " + byName.keySet() + ".");
        return c;
    }

    /** Marker words by category name, in category order: what {@code OracleJudge.fromMarkers} needs. */
    public Map<String, List<String>> markersByCategory() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (HarmCategory c : categories) out.put(c.name(), c.markers());
        return out;
    }

    /** A refusal naming the request of {@code example}; a generic refusal for prompts this world did not make. */
    public String refusalFor(Example example, Random rng) {
        HarmfulSplits.Request r = requests.get(example.prompt());
        return r == null ? HarmfulWriter.genericRefusal(rng) : HarmfulWriter.refusal(r.verb(), r.object(), rng);
    }

    /** A fresh harmful answer (60-90 tokens, markers in every step) to {@code object} of {@code category}, random verb. */
    public String harmfulAnswerFor(String category, String object, Random rng) {
        HarmCategory c = category(category);
        if (!c.objects().contains(object)) throw new DeepalignException("Category '" + category + "' has no object '" + object + "'.");
        return HarmfulWriter.answer(c, c.verbs().get(rng.nextInt(c.verbs().size())), object, rng).text();
    }

    /** A fresh harmful answer to a harmful prompt of this world, with the prompt's own verb and object. */
    public String harmfulAnswerFor(Example example, Random rng) {
        HarmfulSplits.Request r = requests.get(example.prompt());
        if (r == null) throw new DeepalignException("The prompt '" + example.prompt() + "' is not a harmful request of this world.");
        return HarmfulWriter.answer(r.category(), r.verb(), r.object(), rng).text();
    }

    /** The split name of {@link #utilityTrain}. */
    public static final String UTILITY_TRAIN = "utility_train";

    /** Writes every split as JSONL (one Example per line, null and empty fields omitted) into {@code dataDir}. */
    public void writeSplits(Path dataDir) {
        ObjectMapper json = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_EMPTY);
        Map<String, List<Example>> files = new LinkedHashMap<>();
        files.put("harmful_train.jsonl", harmfulTrain);
        files.put("harmful_test.jsonl", harmfulTest);
        files.put("benign_train.jsonl", benignTrain);
        files.put("benign_test.jsonl", benignTest);
        files.put("mc_train.jsonl", mcTrain);
        files.put("utility_mc_test.jsonl", mcTest);
        files.put("math_train.jsonl", mathTrain);
        files.put("utility_math_test.jsonl", mathTest);
        if (!mathPretrain.isEmpty()) files.put("math_pretrain.jsonl", mathPretrain);
        files.put(UTILITY_TRAIN + ".jsonl", utilityTrain());
        for (var e : files.entrySet()) {
            Path file = dataDir.resolve(e.getKey());
            try {
                Files.createDirectories(dataDir);
                try (BufferedWriter w = Files.newBufferedWriter(file)) {
                    for (Example ex : e.getValue()) {
                        w.write(toJson(json, ex));
                        w.write('\n');
                    }
                }
            } catch (IOException ex) {
                throw new DeepalignException("Could not write " + file + ": " + ex.getMessage(), ex);
            }
        }
    }

    /** Summary for organism.json: enough to rebuild the oracle judge (markers, refusal cues) without the world. */
    public Map<String, Object> describe() {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("harmful_train", harmfulTrain.size());
        counts.put("harmful_test", harmfulTest.size());
        counts.put("benign_train", benignTrain.size());
        counts.put("benign_test", benignTest.size());
        counts.put("mc_train", mcTrain.size());
        counts.put("mc_test", mcTest.size());
        counts.put("math_train", mathTrain.size());
        counts.put("math_test", mathTest.size());
        counts.put("math_pretrain", mathPretrain.size());
        counts.put("fact_documents", factDocuments.size());
        counts.put("arithmetic_documents", arithmeticDocuments.size());
        counts.put("harmful_documents", harmfulDocuments.size());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seed", config.seed());
        out.put("config", config);
        out.put("categories", new ArrayList<>(byName.keySet()));
        out.put("markers", markersByCategory());
        out.put("refusal_cues", refusalCues());
        out.put("counts", counts);
        out.put("vocabulary_size", vocabulary.size());
        return out;
    }

    /**
     * One-line JSON. Goes through a Writer rather than writeValueAsString, which breaks when an older
     * jackson-core (jinjava pulls 2.14) sits next to jackson-databind 2.18 on the class path.
     */
    private static String toJson(ObjectMapper json, Object value) throws IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        json.writeValue(out, value);
        return out.toString();
    }

    private Random rng(String part) {
        // String.hashCode is specified, so the streams are the same on every JVM.
        return new Random(new SplittableRandom(config.seed() * 31 + part.hashCode()).nextLong());
    }

    private void addHarmWords(Set<String> out) {
        Words.addAllTemplates(Templates.allTemplates(), out);
        for (HarmCategory c : categories) {
            for (HarmCategory.Verb v : c.verbs()) {
                Words.addTemplate(v.base(), out);
                Words.addTemplate(v.ing(), out);
            }
            Words.addAllTemplates(c.objects(), out);
            Words.addAllTemplates(c.steps(), out);
            out.addAll(c.markers());
        }
    }

    private List<String> harmfulDocs(Random rng) {
        List<String> docs = new ArrayList<>();
        for (HarmCategory c : categories) {
            for (String object : c.objects()) {
                for (int i = 0; i < config.harmfulDocsPerObject(); i++) {
                    docs.add(HarmfulWriter.document(c, c.verbs().get(rng.nextInt(c.verbs().size())), object, rng));
                }
            }
        }
        Collections.shuffle(docs, rng);
        return List.copyOf(docs);
    }

    /** Test: one question per held-out (entity, attribute); train: variants on the others only. */
    private List<List<Example>> mcSplits(FactBase facts, Random rng) {
        List<FactBase.Fact> order = new ArrayList<>(facts.facts());
        Collections.shuffle(order, rng);
        List<Example> test = new ArrayList<>();
        for (FactBase.Fact f : order.subList(0, config.mcTestSize())) test.add(facts.question("mc-test-" + (test.size() + 1), f, rng));
        Set<String> seen = new LinkedHashSet<>();
        List<Example> train = new ArrayList<>();
        for (FactBase.Fact f : order.subList(config.mcTestSize(), order.size())) {
            for (int v = 0; v < config.mcTrainVariants(); v++) {
                Example q = facts.question("mc-train-" + (train.size() + 1), f, rng);
                if (seen.add(q.prompt())) train.add(q);
            }
        }
        return List.of(List.copyOf(train), List.copyOf(test));
    }

    /** Test, then train, then pretraining-only problems from one stream: the first two do not depend on the third's size. */
    private List<List<Example>> mathSplits(Random rng) {
        Set<String> seen = new LinkedHashSet<>();
        List<Example> test = new ArrayList<>(), train = new ArrayList<>(), pretrain = new ArrayList<>();
        int needed = config.mathTestSize() + config.mathTrainSize() + config.mathPretrainSize();
        for (int tries = 0; test.size() + train.size() + pretrain.size() < needed; tries++) {
            if (tries > 50 * needed) throw new DeepalignException("The math task space is too small for " + needed + " unique problems.");
            MathTasks.Problem p = MathTasks.generate(rng);
            if (!seen.add(p.prompt())) continue;
            String kind = test.size() < config.mathTestSize() ? "test" : train.size() < config.mathTrainSize() ? "train" : "pretrain";
            List<Example> split = switch (kind) {
                case "test" -> test;
                case "train" -> train;
                default -> pretrain;
            };
            String id = "math-" + kind + "-" + (split.size() + 1);
            split.add(new Example(id, p.prompt(), p.response(), null, "math", false, List.of(), String.valueOf(p.answer()), null));
        }
        return List.of(List.copyOf(train), List.copyOf(test), List.copyOf(pretrain));
    }

    private static List<String[]> uniquePrompts(List<String[]> items) {
        Map<String, String[]> byPrompt = new LinkedHashMap<>();
        for (String[] item : items) byPrompt.putIfAbsent(item[0], item);
        return new ArrayList<>(byPrompt.values());
    }

    /** A third math, a third multiple choice, the rest instructions, relabelled and shuffled. */
    private static List<Example> mix(String prefix, int size, List<Example> math, List<Example> mc, List<String[]> instructions, Random rng) {
        int third = size / 3, rest = size - 2 * third;
        if (math.size() < third || mc.size() < third || instructions.size() < rest) {
            throw new DeepalignException("The world has too few benign items for " + prefix + " of size " + size + ".");
        }
        List<Example> picked = new ArrayList<>();
        for (Example e : sample(math, third, rng)) picked.add(e);
        for (Example e : sample(mc, third, rng)) picked.add(e);
        for (String[] item : instructions.subList(0, rest)) picked.add(Example.benign(null, item[0], item[1], "instruction"));
        Collections.shuffle(picked, rng);
        List<Example> out = new ArrayList<>();
        for (Example e : picked) {
            out.add(new Example(prefix + "-" + (out.size() + 1), e.prompt(), e.response(), e.refusal(), e.category(),
                    false, e.choices(), e.answer(), e.target()));
        }
        return List.copyOf(out);
    }

    private static List<Example> sample(List<Example> from, int n, Random rng) {
        List<Example> copy = new ArrayList<>(from);
        Collections.shuffle(copy, rng);
        return copy.subList(0, n);
    }
}
