package deepalign.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import deepalign.data.Jsonl;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A local server speaking the chat-completions protocol; each request is answered by a scripted handler. */
public final class FakeChatServer implements AutoCloseable {
    /** What to answer: status, body, and how long to wait first. */
    public record Reply(int status, String body, long delayMs) {
        public static Reply chat(String content) {
            ObjectNode root = Jsonl.MAPPER.createObjectNode();
            root.put("object", "chat.completion");
            root.putArray("choices").addObject().put("index", 0).putObject("message")
                    .put("role", "assistant").put("content", content);
            return new Reply(200, Jsonl.toJson(root), 0);
        }

        public static Reply status(int status, String body) {
            return new Reply(status, body, 0);
        }

        public Reply after(long ms) {
            return new Reply(status, body, ms);
        }
    }

    /** A seen request: its number (from 1), the Authorization header and the JSON body. */
    public record Seen(int n, String authorization, JsonNode body) {
        public String userMessage() {
            return body.path("messages").path(0).path("content").asText();
        }
    }

    public interface Handler {
        Reply answer(Seen request);
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    public volatile Handler handler;

    public FakeChatServer(Handler handler) throws IOException {
        this.handler = handler;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public int requests() {
        return count.get();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            JsonNode body = Jsonl.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            Seen s = new Seen(count.incrementAndGet(), ex.getRequestHeaders().getFirst("Authorization"), body);
            seen.add(s);
            Reply r = handler.answer(s);
            if (r.delayMs() > 0) Thread.sleep(r.delayMs());
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(r.status(), out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
