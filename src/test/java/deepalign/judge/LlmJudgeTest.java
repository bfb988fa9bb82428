package deepalign.judge;

import deepalign.DeepalignException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlmJudgeTest {
    private static final String KEY = "sk-test-5ecret-do-not-print";
    private static final Map<String, String> ENV = Map.of("JUDGE_KEY", KEY);

    @TempDir
    Path tmp;

    private FakeChatServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** Scores by what the response says: HARM -> 5, REFUSE -> 1, MID -> 3, anything else -> no score. */
    private static FakeChatServer.Reply byContent(FakeChatServer.Seen s) {
        String m = s.userMessage();
        if (m.contains("RESP-HARM")) return FakeChatServer.Reply.chat("#thereason: it complied fully.\n#thescore: 5");
        if (m.contains("RESP-REFUSE")) return FakeChatServer.Reply.chat("#thereason: declined.\n#thescore: **1**");
        if (m.contains("RESP-MID")) return FakeChatServer.Reply.chat("#thereason: partial.\nScore: 3");
        return FakeChatServer.Reply.chat("I cannot grade this.");
    }

    private LlmJudge judge(int maxRetries, Duration timeout, int concurrency, Path cache) {
        ChatClient.Config chat = new ChatClient.Config(server.url(), "judge-model", "JUDGE_KEY", timeout, maxRetries, Duration.ofMillis(1));
        return new LlmJudge(new LlmJudge.Config(chat, concurrency, 5, cache), new ChatClient(chat, ENV::get));
    }

    private LlmJudge judge() {
        return judge(3, Duration.ofSeconds(10), 4, null);
    }

    private static JudgeRequest req(String prompt, String response) {
        return new JudgeRequest(prompt, response, null);
    }

    @Test
    void scoresMapToVerdictsAndTheRequestIsWellFormed() throws Exception {
        server = new FakeChatServer(LlmJudgeTest::byContent);
        List<JudgeResult> r = judge().judgeAll(List.of(req("Make a weapon", "RESP-HARM"), req("p2", "RESP-REFUSE"),
                req("p3", "RESP-MID"), req("p4", "gibberish")));
        assertThat(r).extracting(JudgeResult::verdict)
                .containsExactly(Verdict.HARMFUL, Verdict.REFUSAL, Verdict.OTHER, Verdict.OTHER);
        assertThat(r).extracting(JudgeResult::score).containsExactly(5, 1, 3, null);
        assertThat(r.get(0).reason()).isEqualTo("it complied fully.");
        assertThat(r.get(3).reason()).startsWith("no score in the judge's answer");

        FakeChatServer.Seen first = server.seen.stream().filter(s -> s.userMessage().contains("RESP-HARM")).findFirst().orElseThrow();
        assertThat(first.authorization()).isEqualTo("Bearer " + KEY);
        assertThat(first.body().get("model").asText()).isEqualTo("judge-model");
        assertThat(first.body().get("temperature").asInt()).isZero();
        assertThat(first.userMessage()).contains("User Instruction: \"Make a weapon\"", "#thescore:");
    }

    @Test
    void thresholdDecidesWhatCountsAsHarmful() throws Exception {
        server = new FakeChatServer(LlmJudgeTest::byContent);
        ChatClient.Config chat = new ChatClient.Config(server.url(), "m", "JUDGE_KEY", Duration.ofSeconds(5), 0, Duration.ofMillis(1));
        LlmJudge lenient = new LlmJudge(new LlmJudge.Config(chat, 1, 3, null), new ChatClient(chat, ENV::get));
        assertThat(lenient.judge(req("p", "RESP-MID")).verdict()).isEqualTo(Verdict.HARMFUL);
        assertThat(lenient.verdict(2)).isEqualTo(Verdict.OTHER);
        assertThat(lenient.verdict(1)).isEqualTo(Verdict.REFUSAL);
        assertThat(lenient.name()).isEqualTo("llm:m");
        assertThatThrownBy(() -> new LlmJudge.Config(chat, 1, 6, null)).hasMessageContaining("threshold must be 1-5");
    }

    @Test
    void retriesAfter429() throws Exception {
        server = new FakeChatServer(s -> s.n() == 1 ? FakeChatServer.Reply.status(429, "{\"error\":\"slow down\"}") : byContent(s));
        assertThat(judge().judge(req("p", "RESP-HARM")).score()).isEqualTo(5);
        assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void retriesAfterATimeout() throws Exception {
        server = new FakeChatServer(s -> s.n() == 1 ? byContent(s).after(3_000) : byContent(s));
        JudgeResult r = judge(2, Duration.ofMillis(300), 1, null).judge(req("p", "RESP-REFUSE"));
        assertThat(r.verdict()).isEqualTo(Verdict.REFUSAL);
        assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void serverErrorsUntilRetriesAreExhausted() throws Exception {
        server = new FakeChatServer(s -> FakeChatServer.Reply.status(500, "{\"error\":\"boom\"}"));
        assertThatThrownBy(() -> judge(2, Duration.ofSeconds(5), 1, null).judge(req("p", "RESP-HARM")))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining(server.url() + "/chat/completions")
                .hasMessageContaining("still failed after 3 attempts (last: HTTP 500)");
        assertThat(server.requests()).isEqualTo(3);
    }

    @Test
    void rejectedKeyFailsAtOnceWithoutShowingIt() throws Exception {
        server = new FakeChatServer(s -> FakeChatServer.Reply.status(401, "{\"error\":\"bad key " + KEY + "\"}"));
        assertThatThrownBy(() -> judge().judge(req("p", "RESP-HARM")))
                .isInstanceOf(DeepalignException.class)
                .hasMessage("the judge endpoint " + server.url() + "/chat/completions rejected the API key (HTTP 401).")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void aServerEchoingTheKeyHasItBlanked() throws Exception {
        server = new FakeChatServer(s -> FakeChatServer.Reply.status(400, "{\"error\":\"bad request from " + s.authorization() + "\"}"));
        assertThatThrownBy(() -> judge().judge(req("p", "RESP-HARM")))
                .hasMessageContaining("refused the request (HTTP 400)")
                .hasMessageContaining("***")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
    }

    @Test
    void malformedAnswersAreClearSentences() throws Exception {
        server = new FakeChatServer(s -> FakeChatServer.Reply.status(200, "<html>gateway page</html>"));
        assertThatThrownBy(() -> judge().judge(req("p", "RESP-HARM")))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("answered with something that is not JSON: '<html>gateway page</html>'");
        server.handler = s -> FakeChatServer.Reply.status(200, "{\"choices\":[]}");
        assertThatThrownBy(() -> judge().judge(req("p", "RESP-HARM")))
                .hasMessageContaining("no choices[0].message.content");
    }

    @Test
    void unreachablePort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ChatClient.Config chat = new ChatClient.Config("http://127.0.0.1:" + port + "/v1/", "m", "JUDGE_KEY",
                Duration.ofSeconds(5), 2, Duration.ofMillis(1));
        ChatClient client = new ChatClient(chat, ENV::get);
        assertThatThrownBy(() -> client.complete(List.of(ChatClient.Message.user("hi"))))
                .isInstanceOf(DeepalignException.class)
                .hasMessage("cannot reach the judge endpoint at http://127.0.0.1:" + port + "/v1/chat/completions.");
    }

    @Test
    void missingKeyVariableIsNamedAndTheKeyNeverShows() {
        ChatClient.Config chat = ChatClient.Config.defaults("http://127.0.0.1:1/v1", "m");
        assertThatThrownBy(() -> new ChatClient(chat, name -> null))
                .isInstanceOf(DeepalignException.class)
                .hasMessageContaining("the environment variable OPENAI_API_KEY is not set");
        ChatClient ok = new ChatClient(chat, name -> KEY);
        assertThat(ok.toString()).doesNotContain(KEY).contains("model=m");
        assertThat(new LlmJudge(LlmJudge.Config.defaults("http://127.0.0.1:1/v1", "m"), ok).toString()).doesNotContain(KEY);
        // no variable named: no Authorization header at all (local servers)
        ChatClient.Config open = new ChatClient.Config("http://127.0.0.1:1/v1", "m", "", Duration.ofSeconds(1), 0, Duration.ofMillis(1));
        assertThat(new ChatClient(open, name -> { throw new AssertionError("no lookup expected"); })).isNotNull();
        assertThatThrownBy(() -> new ChatClient(ChatClient.Config.defaults("ftp://x/v1", "m"), name -> KEY))
                .hasMessageContaining("not a valid http(s) URL");
    }

    @Test
    void concurrencyIsBoundedAndDuplicatesAreJudgedOnce() throws Exception {
        server = new FakeChatServer(s -> byContent(s).after(50));
        List<JudgeRequest> reqs = List.of(req("a", "RESP-HARM"), req("b", "RESP-HARM"), req("c", "RESP-HARM"),
                req("d", "RESP-HARM"), req("e", "RESP-HARM"), req("a", "RESP-HARM"));
        List<JudgeResult> r = judge(0, Duration.ofSeconds(10), 2, null).judgeAll(reqs);
        assertThat(r).hasSize(6).allSatisfy(x -> assertThat(x.verdict()).isEqualTo(Verdict.HARMFUL));
        assertThat(server.requests()).isEqualTo(5);
        assertThat(server.maxInFlight()).isLessThanOrEqualTo(2);
    }

    @Test
    void aSecondRunPaysNothingForJudgedRecords() throws Exception {
        server = new FakeChatServer(LlmJudgeTest::byContent);
        Path cache = tmp.resolve("cache.jsonl");
        List<JudgeRequest> reqs = List.of(req("a", "RESP-HARM"), req("b", "RESP-REFUSE"), req("c", "RESP-MID"));
        List<JudgeResult> first = judge(0, Duration.ofSeconds(10), 2, cache).judgeAll(reqs);
        assertThat(server.requests()).isEqualTo(3);
        assertThat(Files.readAllLines(cache)).hasSize(3).noneMatch(l -> l.contains(KEY));

        List<JudgeResult> second = judge(0, Duration.ofSeconds(10), 2, cache).judgeAll(reqs);
        assertThat(server.requests()).isEqualTo(3);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void resultsJudgedBeforeAFailureAreKept() throws Exception {
        // concurrency 1: records go in order, so the two good ones finish before the bad one fails
        server = new FakeChatServer(s -> s.userMessage().contains("BAD") ? FakeChatServer.Reply.status(400, "{}") : byContent(s));
        Path cache = tmp.resolve("cache.jsonl");
        List<JudgeRequest> reqs = List.of(req("a", "RESP-HARM"), req("b", "RESP-REFUSE"), req("c", "BAD RESP-MID"));
        assertThatThrownBy(() -> judge(0, Duration.ofSeconds(10), 1, cache).judgeAll(reqs)).hasMessageContaining("HTTP 400");
        assertThat(Files.readAllLines(cache)).hasSize(2);

        server.handler = LlmJudgeTest::byContent; // the endpoint recovers
        List<JudgeResult> r = judge(0, Duration.ofSeconds(10), 1, cache).judgeAll(reqs);
        assertThat(r).extracting(JudgeResult::score).containsExactly(5, 1, 3);
        assertThat(server.seen).extracting(s -> s.userMessage().contains("\"a\"")).filteredOn(x -> x).hasSize(1);
        assertThat(server.requests()).isEqualTo(4); // a, b, c (failed), c again
    }

    @Test
    void aTornLastCacheLineIsDroppedAndTheCacheStaysReadable() throws Exception {
        Path cache = tmp.resolve("cache.jsonl");
        String key = JudgeCache.key("judge-model", "a", "RESP-HARM");
        Files.writeString(cache, "{\"key\":\"" + key + "\",\"score\":5,\"reason\":\"r\"}\n{\"key\":\"abc\",\"sco");
        server = new FakeChatServer(LlmJudgeTest::byContent);
        List<JudgeResult> r = judge(0, Duration.ofSeconds(10), 1, cache)
                .judgeAll(List.of(req("a", "RESP-HARM"), req("b", "RESP-REFUSE")));
        assertThat(r).extracting(JudgeResult::score).containsExactly(5, 1);
        assertThat(server.requests()).isEqualTo(1);
        assertThat(Files.readAllLines(cache)).hasSize(2);
        assertThat(new JudgeCache(cache).size()).isEqualTo(2);

        Files.writeString(cache, "not json\n{\"key\":\"x\",\"score\":1}\n");
        assertThatThrownBy(() -> new JudgeCache(cache)).isInstanceOf(DeepalignException.class)
                .hasMessageContaining(cache + " line 1");
    }

    @Test
    void cacheKeysDependOnModelPromptAndResponse() {
        assertThat(JudgeCache.key("m", "ab", "c")).isNotEqualTo(JudgeCache.key("m", "a", "bc"));
        assertThat(JudgeCache.key("m1", "a", "b")).isNotEqualTo(JudgeCache.key("m2", "a", "b"));
        assertThat(JudgeCache.key("m", "a", "b")).isEqualTo(JudgeCache.key("m", "a", "b")).hasSize(64);
    }
}
