package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
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
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The public APIs of a running stack, as a dashboard or a script would call them (and Kafka, for poison). */
final class LambdaClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The key the test layout's services accept (made on first use under .lambda/test/). */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String SERIES_QUERY = """
            query($view: String!, $key: String, $from: DateTime!, $to: DateTime!) {
              series(view: $view, key: $key, from: $from, to: $to, granularity: HOUR) {
                points { start value } total
                provenance { batchVersion batchCut partial warnings }
              }
            }""";
    private static final String TOP_QUERY = """
            query($view: String!, $from: DateTime!, $to: DateTime!, $limit: Int) {
              top(view: $view, from: $from, to: $to, limit: $limit) {
                items { key value }
                provenance { batchVersion batchCut partial warnings }
              }
            }""";

    enum Api { REST, GRAPHQL }

    /** One ingest request as sent: when, and what came back. */
    record Attempt(long startNanos, long endNanos, int status, int events) {
    }

    /** An answer to a query: its status, and the series or top list in REST's shape (GraphQL's data unwrapped). */
    record Answer(int status, JsonNode body) {
        boolean partial() {
            return body.at("/provenance/partial").asBoolean(false);
        }
    }

    private final RunningStack stack;

    LambdaClient(RunningStack stack) {
        this.stack = stack;
    }

    /** Posts events in requests of {@code perRequest}, resending a request that gets 503 (safe: same ids). */
    void ingest(List<Event> events, int perRequest) throws Exception {
        ingest(events, perRequest, attempt -> { });
    }

    /**
     * As {@link #ingest(List, int)}, reporting every attempt: a client's retry loop, which resends a
     * refused request with its ids until it is stored (bounded: three minutes per request).
     */
    void ingest(List<Event> events, int perRequest, Consumer<Attempt> attempts) throws Exception {
        for (int from = 0; from < events.size(); from += perRequest) {
            List<Event> request = events.subList(from, Math.min(events.size(), from + perRequest));
            String body = JSON.writeValueAsString(request.stream().map(LambdaClient::json).toList());
            await().atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        long start = System.nanoTime();
                        HttpResponse<String> response = post(stack.url("ingest-service", "/api/v1/events"), body);
                        attempts.accept(new Attempt(start, System.nanoTime(), response.statusCode(), request.size()));
                        if (response.statusCode() == 503) {
                            return false;
                        }
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                        return true;
                    });
        }
    }

    /** Posts a body as it is; returns the status (the malformed requests of a workload must get 400). */
    int postRaw(String body) throws Exception {
        return post(stack.url("ingest-service", "/api/v1/events"), body).statusCode();
    }

    /** Writes values straight to the stack's events topic, past ingest's checks, and waits for the broker's ack. */
    void writeToTopic(List<byte[]> values) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(stack.topic, "poison-" + i, values.get(i)));
            }
            producer.flush();
        }
    }

    /** An hour series of one key over {@code [from, to)} through either API. */
    Answer series(Api api, String view, String key, Instant from, Instant to) throws Exception {
        if (api == Api.REST) {
            return rest("/api/v1/views/" + view + "/series?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                    + "&from=" + from + "&to=" + to + "&granularity=hour");
        }
        return graphql(SERIES_QUERY, Map.of("view", view, "key", key, "from", from.toString(), "to", to.toString()),
                "series");
    }

    /** Every key of a view over a day-aligned range, largest first, through either API. */
    Answer top(Api api, String view, Instant from, Instant to, int limit) throws Exception {
        if (api == Api.REST) {
            return rest("/api/v1/views/" + view + "/top?from=" + from + "&to=" + to + "&limit=" + limit);
        }
        return graphql(TOP_QUERY, Map.of("view", view, "from", from.toString(), "to", to.toString(), "limit", limit),
                "top");
    }

    private Answer rest(String pathAndQuery) throws Exception {
        HttpResponse<String> response = get(stack.url("query-service", pathAndQuery));
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    /** A GraphQL answer as REST's: 200 with the field's data, or the status its error classification stands for. */
    private Answer graphql(String query, Map<String, Object> variables, String field) throws Exception {
        HttpResponse<String> response = post(stack.url("query-service", "/graphql"),
                JSON.writeValueAsString(Map.of("query", query, "variables", variables)));
        JsonNode body = JSON.readTree(response.body());
        JsonNode errors = body.path("errors");
        if (response.statusCode() != 200 || (errors.isArray() && !errors.isEmpty())) {
            String classification = errors.path(0).at("/extensions/classification").asString("");
            int status = response.statusCode() != 200 ? response.statusCode()
                    : classification.equals("UNAVAILABLE") ? 503 : classification.equals("NOT_FOUND") ? 404 : 400;
            return new Answer(status, body);
        }
        return new Answer(200, body.path("data").path(field));
    }

    /** Starts a batch run, waiting out one that is in progress; returns its run id. */
    String startBatchRun(String mode) {
        String[] runId = new String[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> started = post(stack.url("batch-service", "/api/v1/batch/runs"),
                    "{\"mode\":\"" + mode + "\"}");
            if (started.statusCode() == 409) {
                return false; // another run is going on: wait for it
            }
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            runId[0] = JSON.readTree(started.body()).get("runId").asString();
            return true;
        });
        return runId[0];
    }

    JsonNode batchRunState(String runId) throws Exception {
        HttpResponse<String> response = get(stack.url("batch-service", "/api/v1/batch/runs/" + runId));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Waits until the run is no longer running (through a restart of the service too); returns its final state. */
    JsonNode awaitBatchRunEnd(String runId) {
        JsonNode[] run = new JsonNode[1];
        // connection failures while the service restarts are waited out; an unknown run (404) fails at once
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            run[0] = batchRunState(runId);
            return !run[0].path("status").asString().equals("RUNNING");
        });
        return run[0];
    }

    /** Starts a batch run and waits until it is no longer running; returns its final state. */
    JsonNode batchRun(String mode) {
        return awaitBatchRunEnd(startBatchRun(mode));
    }

    /**
     * Runs batch cycles until one has a cut past {@code instant}, i.e. absorbed every event ingested
     * before it (the cut trails the ingest time by the archiver's progress and the skew margin).
     */
    JsonNode batchRunPast(Instant instant, String mode) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(ScenarioSteps.SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode run = batchRun(mode);
            last[0] = run;
            assertThat(run.path("status").asString()).as(run.toString()).isIn("PUBLISHED", "UNCHANGED");
            assertThat(run.path("cut").isString()).as(run.toString()).isTrue();
            assertThat(Instant.parse(run.get("cut").asString())).as(run.toString()).isAfter(instant);
        });
        return last[0];
    }

    static Map<String, Object> json(Event event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("eventId", event.eventId());
        json.put("type", event.type());
        json.put("timestamp", event.timestamp().toEpochMilli());
        json.put("attributes", event.attributes());
        return json;
    }

    /** Posts JSON with the key of the stack's layout, which every scope of its services accepts. */
    HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-API-Key", stack.apiKey())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", stack.apiKey()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
