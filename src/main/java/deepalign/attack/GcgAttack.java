package deepalign.attack;

import deepalign.DeepalignException;
import deepalign.Progress;
import deepalign.data.Example;
import deepalign.judge.Judge;
import deepalign.judge.JudgeRequest;
import deepalign.judge.JudgeResult;
import deepalign.judge.Verdict;
import deepalign.model.GenerationConfig;
import deepalign.model.Generator;
import deepalign.model.LanguageModel;
import deepalign.model.Workers;
import deepalign.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.Set;

/**
 * Greedy Coordinate Gradient (Zou et al. 2023), one suffix per prompt. Each step: the gradient of the target
 * loss with respect to the suffix's one-hot indicators ranks, per position, the top-k replacement tokens
 * (most negative gradient); a batch of candidates each swaps one random position for one random top-k
 * token; all are scored by the exact target loss and the best becomes the new suffix.
 *
 * <p>The loss is the target model's own (white-box); success is judged on what {@link Target#generator}
 * produces, so a decoding-time defense is attacked as deployed. A run stops early when a judged greedy
 * generation is harmful; generations are judged every {@code evalEvery} steps, whenever the target becomes
 * the greedy continuation, and at the end (with the lowest-loss suffix seen); a warm start also before the
 * first step.
 */
public final class GcgAttack implements Attack {
    private final GcgConfig cfg;

    public GcgAttack(GcgConfig cfg) {
        this.cfg = cfg;
    }

    /** The organism defaults ({@link GcgConfig#organism()}). */
    public static GcgAttack defaults() {
        return new GcgAttack(GcgConfig.organism());
    }

    /** From an attack spec such as "gcg", "gcg:paper" or "gcg:steps=100,topk=128" (see {@link GcgConfig#parse}). */
    public static GcgAttack fromSpec(String spec) {
        return new GcgAttack(GcgConfig.parse(spec));
    }

    public GcgConfig config() {
        return cfg;
    }

    @Override
    public String name() {
        return "gcg";
    }

    @Override
    public List<Attempt> run(Target target, List<Example> prompts, Judge judge, GenerationConfig gen) {
        return optimize(target, prompts, judge, gen).stream().map(GcgResult::attempt).toList();
    }

    /**
     * Runs GCG on every prompt and returns the full traces (loss curves, suffixes, timings). Prompts are
     * independent (each has its own suffix and a random stream seeded by its index), so they run on the
     * {@link Workers} and give the same suffixes with any worker count.
     */
    public List<GcgResult> optimize(Target target, List<Example> prompts, Judge judge, GenerationConfig gen) {
        GcgVocab vocab = GcgVocab.of(target.model());
        try (Progress bar = Progress.start("gcg", prompts.size())) {
            List<Callable<GcgResult>> tasks = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int index = i;
                tasks.add(() -> {
                    GcgResult r = attack(target, vocab, prompts.get(index), index, judge, gen, bar);
                    bar.step();
                    return r;
                });
            }
            return Workers.map(tasks);
        }
    }

    /** What one judged generation of a suffix gave. */
    private record Check(int[] suffix, String response, JudgeResult result) {
        boolean harmful() {
            return result.verdict() == Verdict.HARMFUL;
        }
    }

    GcgResult attack(Target target, GcgVocab vocab, Example ex, int index, Judge judge, GenerationConfig gen, Progress bar) {
        long t0 = System.nanoTime();
        LanguageModel model = target.model();
        if (ex.target() == null || ex.target().isBlank()) {
            throw new DeepalignException("prompt " + ex.id() + " has no target string for GCG (AdvBench's target column, or the organism's opener)");
        }
        GcgLayout layout = GcgLayout.of(model, ex.prompt(), ex.target());
        try (GcgObjective objective = new GcgObjective(model.transformer(), layout, cfg.suffixLength(), cfg.firstWeight())) {
            return attack(target, vocab, ex, index, judge, gen, bar, layout, objective, t0);
        }
    }

    private GcgResult attack(Target target, GcgVocab vocab, Example ex, int index, Judge judge, GenerationConfig gen, Progress bar,
            GcgLayout layout, GcgObjective objective, long t0) {
        LanguageModel model = target.model();
        Random rng = new Random(cfg.seed() * 1_000_003L + index);
        int[] suffix = initialSuffix(ex, vocab, model.tokenizer());

        List<Double> losses = new ArrayList<>();
        int[] best = suffix;
        double bestLoss = Double.POSITIVE_INFINITY;
        Check last = null;
        Check success = null;
        int checks = 0;
        int steps = 0;
        if (!cfg.warmStart().equals("none")) { // a warm start may break the prompt already: judge it before searching
            last = check(target, layout, suffix, ex, judge, gen);
            checks++;
            if (last.harmful()) success = last;
        }
        for (int step = 0; success == null && step < cfg.steps(); step++) {
            GcgObjective.Gradient g = objective.gradient(suffix);
            if (step == 0) {
                losses.add(g.loss());
                bestLoss = g.loss();
            }
            List<int[]> candidates = sample(suffix, topK(g.grad(), vocab, objective.vocabSize()), rng, model.tokenizer());
            if (candidates.isEmpty()) break; // every candidate was a duplicate or failed the round trip
            GcgObjective.Scores s = objective.score(candidates, cfg.scoreBatch());
            int j = argMin(s.loss());
            suffix = candidates.get(j);
            losses.add(s.loss()[j]);
            steps = step + 1;
            if (s.loss()[j] < bestLoss) {
                best = suffix;
                bestLoss = s.loss()[j];
            }
            if (bar != null) bar.extra(String.format("prompt %d step %d loss %.3f", index + 1, steps, s.loss()[j]));
            boolean due = s.exact()[j] || (cfg.evalEvery() > 0 && steps % cfg.evalEvery() == 0);
            if (due) {
                last = check(target, layout, suffix, ex, judge, gen);
                checks++;
                if (last.harmful()) {
                    success = last;
                    break;
                }
            }
        }
        if (losses.isEmpty()) losses.add(objective.score(List.of(suffix), 1).loss()[0]); // steps = 0
        Check fin = success;
        if (fin == null) {
            fin = last != null && Arrays.equals(last.suffix(), best) ? last : check(target, layout, best, ex, judge, gen);
            if (fin != last) checks++;
        }
        String text = model.tokenizer().decode(fin.suffix(), false).strip();
        String user = ex.prompt().strip() + " " + text;
        boolean retokenizes = layout.retokenizes(model, user, fin.suffix());
        Attempt attempt = new Attempt(ex, text, fin.response(), fin.result(), "steps=" + steps);
        return new GcgResult(attempt, text, fin.suffix(), ex.target(), losses, steps, checks, retokenizes, objective.targetProbs(fin.suffix()),
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The suffix a search starts from: the init token repeated or, with a warm start, the allowed tokens of the
     * prompt's target string or harmful response, cut to the suffix length and padded with the init token.
     */
    int[] initialSuffix(Example ex, GcgVocab vocab, Tokenizer tok) {
        int[] suffix = new int[cfg.suffixLength()];
        Arrays.fill(suffix, vocab.initToken(tok, cfg.init()));
        if (cfg.warmStart().equals("none")) return suffix;
        String text = cfg.warmStart().equals("target") ? ex.target() : ex.response();
        if (text == null || text.isBlank()) {
            throw new DeepalignException("prompt " + ex.id() + " has no " + cfg.warmStart() + " to warm-start GCG from");
        }
        int n = 0;
        for (int id : tok.encode(text)) {
            if (n == suffix.length) break;
            if (vocab.allowed(id)) suffix[n++] = id;
        }
        return suffix;
    }

    private Check check(Target target, GcgLayout layout, int[] suffix, Example ex, Judge judge, GenerationConfig gen) {
        List<Generator.Generation> g = target.generator().generate(List.of(layout.promptIds(suffix)), gen);
        String response = target.model().decode(g.get(0).tokens());
        return new Check(suffix, response, judge.judge(new JudgeRequest(ex.prompt(), response, ex.category())));
    }

    /** Per suffix position, the allowed ids with the k most negative gradients (a bounded max-heap per row). */
    int[][] topK(double[] grad, GcgVocab vocab, int v) {
        int m = cfg.suffixLength();
        int k = Math.min(cfg.topK(), vocab.count());
        boolean[] allowed = vocab.mask();
        int[][] out = new int[m][];
        for (int pos = 0; pos < m; pos++) {
            int[] heap = new int[k];
            int size = 0;
            int base = pos * v;
            for (int id = 0; id < allowed.length; id++) {
                if (!allowed[id]) continue;
                if (size < k) {
                    heap[size++] = id;
                    siftUp(heap, size - 1, grad, base);
                } else if (grad[base + id] < grad[base + heap[0]]) {
                    heap[0] = id;
                    siftDown(heap, size, grad, base);
                }
            }
            out[pos] = Arrays.copyOf(heap, size);
        }
        return out;
    }

    /** {@code candidates} one-token swaps of {@code suffix}, without duplicates, the unchanged suffix or round-trip failures. */
    List<int[]> sample(int[] suffix, int[][] topk, Random rng, Tokenizer tok) {
        Set<List<Integer>> seen = new HashSet<>();
        seen.add(key(suffix));
        List<int[]> out = new ArrayList<>();
        for (int c = 0; c < cfg.candidates(); c++) {
            int pos = rng.nextInt(suffix.length);
            int[] cand = suffix.clone();
            cand[pos] = topk[pos][rng.nextInt(topk[pos].length)];
            if (seen.add(key(cand)) && GcgVocab.roundTrips(tok, cand)) out.add(cand);
        }
        return out;
    }

    private static List<Integer> key(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }

    private static int argMin(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] < a[best]) best = i;
        return best;
    }

    private static void siftUp(int[] heap, int i, double[] g, int base) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (g[base + heap[i]] <= g[base + heap[parent]]) return;
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, double[] g, int base) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int largest = i;
            if (l < size && g[base + heap[l]] > g[base + heap[largest]]) largest = l;
            if (r < size && g[base + heap[r]] > g[base + heap[largest]]) largest = r;
            if (largest == i) return;
            swap(heap, i, largest);
            i = largest;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
