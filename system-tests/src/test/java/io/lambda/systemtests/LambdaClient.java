package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.StackApiKey;
import io.lambda.localservers.StackLayout;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The public APIs of a running stack, as a dashboard or a script would call them. */
final class LambdaClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The key the test layout's services accept (made on first use under .lambda/test/). */
    private static final String API_KEY = StackApiKey.of(StackLayout.test(ProjectHome.locate())).key();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final RunningStack stack;

    LambdaClient(RunningStack stack) {
        this.stack = stack;
    }

    /** Posts events in requests of {@code perRequest}, retrying a request that gets 503 (safe: same ids). */
    void ingest(List<Event> events, int perRequest) throws Exception {
        for (int from = 0; from < events.size(); from += perRequest) {
            String body = JSON.writeValueAsString(events.subList(from, Math.min(events.size(), from + perRequest))
                    .stream().map(LambdaClient::json).toList());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                HttpResponse<String> response = post(stack.url("ingest-service", "/api/v1/events"), body);
                if (response.statusCode() == 503) {
                    return false;
                }
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                return true;
            });
        }
    }

    JsonNode series(String view, String key, String granularity, Instant from, Instant to) throws Exception {
        String query = "/api/v1/views/" + view + "/series?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + "&from=" + from + "&to=" + to + "&granularity=" + granularity;
        HttpResponse<String> response = get(stack.url("query-service", query));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Starts a batch run and waits until it is no longer running; returns its final state. */
    JsonNode batchRun(String mode) throws Exception {
        String[] runId = new String[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            HttpResponse<String> started = post(stack.url("batch-service", "/api/v1/batch/runs"),
                    "{\"mode\":\"" + mode + "\"}");
            if (started.statusCode() == 409) {
                return false; // a scheduled run is going on: wait for it
            }
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            runId[0] = JSON.readTree(started.body()).get("runId").asString();
            return true;
        });
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
            run[0] = JSON.readTree(get(stack.url("batch-service", "/api/v1/batch/runs/" + runId[0])).body());
            String status = run[0].path("status").asString();
            return !status.equals("RUNNING") && !status.equals("STARTING") && !status.equals("STARTED");
        });
        return run[0];
    }

    static Map<String, Object> json(Event event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("eventId", event.eventId());
        json.put("type", event.type());
        json.put("timestamp", event.timestamp().toEpochMilli());
        json.put("attributes", event.attributes());
        return json;
    }

    static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-API-Key", API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", API_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
