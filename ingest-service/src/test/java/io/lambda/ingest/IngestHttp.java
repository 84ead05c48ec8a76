package io.lambda.ingest;

import io.lambda.localservers.TestApiKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client against the running service, over loopback. */
final class IngestHttp {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String base;

    IngestHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    HttpResponse<String> post(String contentType, HttpRequest.BodyPublisher body) throws IOException {
        return post(contentType, body, new String[0]);
    }

    /** {@code headers}: extra name, value pairs, e.g. a {@code traceparent}. */
    HttpResponse<String> post(String contentType, HttpRequest.BodyPublisher body, String... headers) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .header(TestApiKeys.HEADER, TestApiKeys.INGEST);
        if (headers.length > 0) {
            builder.headers(headers);
        }
        HttpRequest request = builder.POST(body).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    HttpResponse<String> postJson(String body) throws IOException {
        return post("application/json", HttpRequest.BodyPublishers.ofString(body));
    }

    /** {@code headers}: name, value pairs, e.g. an API key. */
    HttpResponse<String> get(String path, String... headers) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        try {
            return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    static String event(String id, long timestampMillis) {
        return "{\"eventId\":\"" + id + "\",\"type\":\"pageview\",\"timestamp\":" + timestampMillis
                + ",\"attributes\":{\"url\":\"/home\",\"userId\":\"u1\"}}";
    }
}
