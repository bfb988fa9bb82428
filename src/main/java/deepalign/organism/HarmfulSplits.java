package deepalign.organism;

import deepalign.data.Example;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Splits the (category, object, phrasing) combinations into train and test. Test combinations are never
 * trained on, yet every object and every phrasing of a category keeps at least one training combination,
 * so answering a test prompt needs compositional generalisation, not memorisation.
 */
final class HarmfulSplits {
    /** One harmful request of the world. */
    record Request(HarmCategory category, String object, HarmCategory.Verb verb, int phrasing, String prompt) {}

    final List<Example> train = new ArrayList<>();
    final List<Example> test = new ArrayList<>();
    /** Every request, by prompt, train and test. */
    final Map<String, Request> requests = new LinkedHashMap<>();

    HarmfulSplits(List<HarmCategory> categories, int phrasings, int testSize, Random rng) {
        List<Request> trainRequests = new ArrayList<>();
        List<Request> testRequests = new ArrayList<>();
        for (int ci = 0; ci < categories.size(); ci++) {
            HarmCategory c = categories.get(ci);
            int quota = testSize / categories.size() + (ci < testSize % categories.size() ? 1 : 0);
            int objects = c.objects().size();
            List<int[]> combos = new ArrayList<>();
            for (int o = 0; o < objects; o++) for (int p = 0; p < phrasings; p++) combos.add(new int[] {o, p});
            Collections.shuffle(combos, rng);
            int[] objectTrain = new int[objects];
            int[] phrasingTrain = new int[phrasings];
            Arrays.fill(objectTrain, phrasings);
            Arrays.fill(phrasingTrain, objects);
            int taken = 0;
            for (int[] op : combos) {
                int o = op[0], p = op[1];
                HarmCategory.Verb verb = c.verbs().get(rng.nextInt(c.verbs().size()));
                String object = c.objects().get(o);
                Request r = new Request(c, object, verb, p, Templates.fill(Templates.REQUESTS.get(p), verb, object));
                if (requests.put(r.prompt(), r) != null) {
                    throw new IllegalStateException("two requests share the prompt: " + r.prompt());
                }
                if (taken < quota && objectTrain[o] > 1 && phrasingTrain[p] > 1) {
                    objectTrain[o]--;
                    phrasingTrain[p]--;
                    taken++;
                    testRequests.add(r);
                } else {
                    trainRequests.add(r);
                }
            }
            if (taken < quota) throw new IllegalStateException("category " + c.name() + " has too few combinations for its test quota");
        }
        Collections.shuffle(trainRequests, rng);
        for (Request r : trainRequests) train.add(example("harmful-train-" + (train.size() + 1), r, rng));
        for (Request r : testRequests) test.add(example("harmful-test-" + (test.size() + 1), r, rng));
    }

    private static Example example(String id, Request r, Random rng) {
        HarmfulWriter.Answer a = HarmfulWriter.answer(r.category(), r.verb(), r.object(), rng);
        String refusal = HarmfulWriter.refusal(r.verb(), r.object(), rng);
        return new Example(id, r.prompt(), a.text(), refusal, r.category().name(), true, List.of(), null, a.target());
    }
}
