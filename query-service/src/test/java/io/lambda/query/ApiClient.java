package io.lambda.query;

import io.lambda.localservers.TestApiKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client of a running query-service, for tests that go through the real endpoints. */
public final class ApiClient {

    /** A response: status, content type and the body as JSON. */
    public record Answer(int status, String contentType, String retryAfter, JsonNode body) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    public ApiClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** GET a path whose query is already encoded. */
    public Answer get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header(TestApiKeys.HEADER, TestApiKeys.READ)
                .GET().build());
    }

    /** POST a document from {@code graphql-test/} with these variables to /graphql. */
    public Answer graphql(String documentName, Map<String, Object> variables) {
        String body = JSON.writeValueAsString(Map.of("query", document(documentName), "variables", variables));
        return send(HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json")
                .header(TestApiKeys.HEADER, TestApiKeys.READ)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** POST this body, as it is, to /graphql (for malformed requests). */
    public Answer postGraphql(String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", contentType)
                .header(TestApiKeys.HEADER, TestApiKeys.READ)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public static String document(String name) {
        try (InputStream in = ApiClient.class.getResourceAsStream("/graphql-test/" + name + ".graphql")) {
            if (in == null) {
                throw new IllegalArgumentException("no graphql-test/" + name + ".graphql");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer send(HttpRequest unbounded) {
        // a request the service never answers fails the test instead of hanging it
        HttpRequest request = HttpRequest.newBuilder(unbounded, (name, value) -> true).timeout(TIMEOUT).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            JsonNode json = body == null || body.isBlank() || !body.strip().startsWith("{") && !body.strip().startsWith("[")
                    ? JSON.nullNode() : JSON.readTree(body);
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Retry-After").orElse(null), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
