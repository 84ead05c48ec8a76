package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.StackLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The walking skeleton end to end, with each speed engine: events posted to ingest-service are counted
 * by the speed layer within seconds, and after a batch run absorbs them the merged answer is the same
 * exact count, now served from the batch version (no double count at the publish). Engine
 * {@code streams} goes through query-service's interactive queries of speed-service.
 */
class WalkingSkeletonIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private RunningStack stack;
    private LambdaClient client;

    @AfterEach
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @ValueSource(strings = {"writer", "streams"})
    void postedPageviewsAreCountedExactlyBySpeedThenByBatchAfterAPublish(String engine) throws Exception {
        stack = RunningStack.onSharedServers(Duration.ofSeconds(10), StackLayout.test(ProjectHome.locate()),
                Map.of("lambda.speed.engine", engine));
        client = new LambdaClient(stack);
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Random random = new Random(42);
        List<String> urls = List.of("/home", "/pricing", "/a|b");
        Map<String, Integer> expected = new LinkedHashMap<>();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String url = urls.get(random.nextInt(urls.size()));
            expected.merge(url, 1, Integer::sum);
            // event time inside the current hour, at or before now
            long eventTime = hour.toEpochMilli() + random.nextLong(Math.max(1, Instant.now().toEpochMilli()
                    - hour.toEpochMilli()));
            events.add(Map.of("eventId", "skeleton-" + i, "type", "pageview", "timestamp", eventTime,
                    "attributes", Map.of("url", url, "userId", "u" + random.nextInt(50))));
        }
        for (int from = 0; from < events.size(); from += 100) {
            HttpResponse<String> response = client.post(stack.url("ingest-service", "/api/v1/events"),
                    JSON.writeValueAsString(events.subList(from, from + 100)));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(JSON.readTree(response.body()).get("accepted").asInt()).isEqualTo(100);
        }
        Instant lastIngest = Instant.now();

        // Speed layer: exact within seconds, before any batch version exists.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (var entry : expected.entrySet()) {
                assertThat(hourCount(entry.getKey(), hour)).as(entry.getKey()).isEqualTo(entry.getValue());
            }
        });
        JsonNode before = series("/home", hour);
        assertThat(before.at("/provenance/batchVersion").isNull()).isTrue();
        assertThat(before.at("/provenance/partial").asBoolean()).isFalse();
        // the speed layer reports how far it has got: through the last ingest, once caught up
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(Instant.parse(series("/home", hour).at("/provenance/speedThrough").asString()))
                        .isAfterOrEqualTo(lastIngest));
        JsonNode top = top(hour);
        Map<String, Integer> ranked = new LinkedHashMap<>();
        top.get("items").forEach(item -> ranked.put(item.get("key").asString(), item.get("value").asInt()));
        assertThat(ranked).isEqualTo(expected);

        // Batch layer: once the cut can pass every posted event, a run absorbs them all.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode run = runToEnd();
            assertThat(run.get("status").asString()).isIn("PUBLISHED", "UNCHANGED");
            assertThat(Instant.parse(run.get("cut").asString())).isAfter(lastIngest);
        });
        for (var entry : expected.entrySet()) {
            JsonNode answer = series(entry.getKey(), hour);
            assertThat(answer.get("total").asInt()).as(entry.getKey()).isEqualTo(entry.getValue());
            assertThat(answer.at("/provenance/batchVersion").asLong()).isPositive();
        }
    }

    private JsonNode runToEnd() throws Exception {
        HttpResponse<String> started = client.post(stack.url("batch-service", "/api/v1/batch/runs"), "{\"mode\":\"full\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String runId = JSON.readTree(started.body()).get("runId").asString();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            run[0] = JSON.readTree(client.get(stack.url("batch-service", "/api/v1/batch/runs/" + runId)).body());
            return !run[0].get("status").asString().equals("RUNNING");
        });
        return run[0];
    }

    private JsonNode top(Instant hour) throws Exception {
        HttpResponse<String> response = client.get(stack.url("query-service", "/api/v1/views/pageviews/top?from="
                + hour + "&to=" + hour.plus(1, ChronoUnit.HOURS) + "&granularity=hour&limit=10"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private int hourCount(String url, Instant hour) throws Exception {
        return series(url, hour).get("total").asInt();
    }

    private JsonNode series(String url, Instant hour) throws Exception {
        String query = "/api/v1/views/pageviews/series?key=" + URLEncoder.encode(url, StandardCharsets.UTF_8)
                + "&from=" + hour + "&to=" + hour.plus(1, ChronoUnit.HOURS) + "&granularity=hour";
        HttpResponse<String> response = client.get(stack.url("query-service", query));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
