package deepalign.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import deepalign.DeepalignException;
import deepalign.data.Jsonl;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A minimal client for an OpenAI-compatible {@code POST {base}/chat/completions} endpoint (OpenAI, vLLM, llama.cpp,
 * Ollama, ...). Retries 429, 5xx, timeouts and dropped connections with exponential backoff; fails at once, with
 * one clear sentence, on a rejected key, another 4xx, an unreachable host or an answer that is not chat JSON.
 * The API key is read from an environment variable and never appears in messages or {@link #toString()}.
 */
public final class ChatClient {
    /**
     * @param baseUrl     e.g. {@code http://localhost:8000/v1}; a URL already ending in {@code /chat/completions} is used as is
     * @param keyEnv      name of the environment variable holding the API key; null or blank for servers without auth
     * @param timeout     per-request timeout
     * @param maxRetries  retries after the first attempt
     * @param backoffBase delay before the first retry; doubles each retry
     */
    public record Config(String baseUrl, String model, String keyEnv, Duration timeout, int maxRetries,
                         Duration backoffBase) {
        public static final String DEFAULT_KEY_ENV = "OPENAI_API_KEY";

        public static Config defaults(String baseUrl, String model) {
            return new Config(baseUrl, model, DEFAULT_KEY_ENV, Duration.ofSeconds(120), 5, Duration.ofSeconds(2));
        }
    }

    public record Message(String role, String content) {
        public static Message user(String content) {
            return new Message("user", content);
        }
    }

    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final Config config;
    private final URI endpoint;
    private final String apiKey; // null when the endpoint needs none
    private final HttpClient http;

    public ChatClient(Config config) {
        this(config, System::getenv);
    }

    /** {@code env} looks up environment variables (tests pass a map). */
    public ChatClient(Config config, Function<String, String> env) {
        if (config.model() == null || config.model().isBlank()) {
            throw new DeepalignException("the judge needs a model name (--judge-model).");
        }
        this.config = config;
        this.endpoint = endpoint(config.baseUrl());
        if (config.keyEnv() == null || config.keyEnv().isBlank()) {
            this.apiKey = null;
        } else {
            String key = env.apply(config.keyEnv());
            if (key == null || key.isBlank()) {
                throw new DeepalignException("the environment variable " + config.keyEnv()
                        + " is not set; export the judge's API key in it (or name another with --judge-key-env).");
            }
            this.apiKey = key.trim();
        }
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout()).build();
    }

    public String model() {
        return config.model();
    }

    /** Sends the messages (temperature 0) and returns {@code choices[0].message.content}. */
    public String complete(List<Message> messages) {
        HttpRequest request = request(messages);
        String lastProblem = null;
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            Duration wait = backoff(attempt);
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = r.statusCode();
                if (status == 200) return content(r.body());
                if (status == 401 || status == 403) {
                    throw new DeepalignException("the judge endpoint " + endpoint + " rejected the API key (HTTP " + status + ").");
                }
                if (status != 429 && status < 500) {
                    throw new DeepalignException("the judge endpoint " + endpoint + " refused the request (HTTP " + status
                            + "): " + excerpt(r.body()));
                }
                lastProblem = "HTTP " + status;
                wait = max(wait, retryAfter(r));
            } catch (HttpTimeoutException e) {
                lastProblem = "no answer within " + config.timeout().toSeconds() + " s";
            } catch (ConnectException e) {
                throw new DeepalignException("cannot reach the judge endpoint at " + endpoint + ".", e);
            } catch (IOException e) {
                lastProblem = "connection error (" + e.getClass().getSimpleName() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeepalignException("interrupted while waiting for the judge endpoint " + endpoint + ".", e);
            }
            if (attempt < config.maxRetries()) sleep(wait);
        }
        throw new DeepalignException("the judge endpoint " + endpoint + " still failed after " + (config.maxRetries() + 1)
                + " attempts (last: " + lastProblem + ").");
    }

    @Override
    public String toString() {
        return "ChatClient[" + endpoint + ", model=" + config.model() + "]";
    }

    private HttpRequest request(List<Message> messages) {
        ObjectNode body = Jsonl.MAPPER.createObjectNode();
        body.put("model", config.model());
        body.put("temperature", 0);
        ArrayNode ms = body.putArray("messages");
        for (Message m : messages) ms.addObject().put("role", m.role()).put("content", m.content());
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Jsonl.toJson(body)));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return b.build();
    }

    private String content(String body) {
        JsonNode n;
        try {
            n = Jsonl.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new DeepalignException("the judge endpoint " + endpoint + " answered with something that is not JSON: "
                    + excerpt(body));
        }
        JsonNode c = n == null ? null : n.path("choices").path(0).path("message").path("content");
        if (c == null || !c.isTextual()) {
            throw new DeepalignException("the judge endpoint " + endpoint
                    + " answered with JSON that has no choices[0].message.content: " + excerpt(body));
        }
        return c.asText();
    }

    private Duration backoff(int attempt) {
        long base = config.backoffBase().toMillis() << Math.min(attempt, 20);
        long jitter = base <= 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 4 + 1);
        return Duration.ofMillis(base + jitter);
    }

    private static Duration retryAfter(HttpResponse<?> r) {
        try {
            return r.headers().firstValue("Retry-After").map(v -> Duration.ofSeconds(Long.parseLong(v.trim())))
                    .map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d).orElse(Duration.ZERO);
        } catch (NumberFormatException e) {
            return Duration.ZERO; // an HTTP date; the exponential backoff is good enough
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeepalignException("interrupted while waiting to retry the judge endpoint " + endpoint + ".", e);
        }
    }

    // Server text shown to the user: short, one line, and with the key blanked should a server echo it.
    private String excerpt(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        if (apiKey != null) s = s.replace(apiKey, "***");
        return "'" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + "'.";
    }

    private static URI endpoint(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) throw new DeepalignException("the LLM judge needs a URL (--judge-url).");
        String u = baseUrl.strip().replaceAll("/+$", "");
        if (!u.endsWith("/chat/completions")) u += "/chat/completions";
        try {
            URI uri = new URI(u);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new URISyntaxException(u, "not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new DeepalignException("the judge URL '" + baseUrl + "' is not a valid http(s) URL.");
        }
    }
}
