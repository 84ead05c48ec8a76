package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The whole stack under a seeded workload with late and duplicate events, the speed layer
 * SIGKILLed mid-stream and restarted, then a batch run: every answer must equal the ground truth.
 * Size: {@code -Dlambda.system.events} (20,000 by default; the large profile sends 1,000,000).
 */
class SeededWorkloadIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(SeededWorkloadIntegrationTests.class);
    private static final int EVENTS = Integer.getInteger("lambda.system.events", 20_000);
    private static final List<String> EXACT_VIEWS = List.of("pageviews", "revenue", "max_order");

    private static RunningStack stack;
    private static LambdaClient client;

    @BeforeAll
    static void startStack() {
        stack = new RunningStack(Duration.ofSeconds(10));
        client = new LambdaClient(stack);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void answersEqualTheGroundTruthAfterASpeedCrashAndABatchPublish() throws Exception {
        Instant now = Instant.now();
        SeededWorkload workload = new SeededWorkload(20261126L, EVENTS, now, 0.05, 0.03);
        GroundTruth truth = new GroundTruth(workload.distinct(), now);
        List<Event> sent = workload.sent();
        int half = sent.size() / 2;
        long started = System.nanoTime();

        client.ingest(sent.subList(0, half), 500);
        stack.service("speed-service").kill(); // SIGKILL, mid-stream: its cells and offsets are as they are
        stack.restart("speed-service");
        client.ingest(sent.subList(half, sent.size()), 500);
        Instant lastIngest = Instant.now();
        log.info("sent {} events ({} distinct) in {} s with a speed-service crash", sent.size(),
                workload.distinct().size(), (System.nanoTime() - started) / 1_000_000_000);

        // Speed alone: never below the truth (nothing lost); above it only by duplicates that
        // slipped past its dedup window, which the batch corrects.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(diffs("pageviews", truth, Comparison.AT_LEAST)).isEmpty());

        // The batch absorbs everything once its cut passes the last ingest: then exact.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode run = client.batchRun("incremental");
            assertThat(run.path("cut").isMissingNode() || run.path("cut").isNull()).as(run.toString()).isFalse();
            assertThat(Instant.parse(run.get("cut").asString())).as(run.toString()).isAfter(lastIngest);
        });
        for (String view : EXACT_VIEWS) {
            assertThat(diffs(view, truth, Comparison.EXACT)).as(view).isEmpty();
        }
        assertThat(diffs("visitors", truth, Comparison.WITHIN_SKETCH_BOUND)).as("visitors").isEmpty();
    }

    private enum Comparison { EXACT, AT_LEAST, WITHIN_SKETCH_BOUND }

    /** Every hour cell of the view whose answer differs from the truth, as readable lines. */
    private List<String> diffs(String view, GroundTruth truth, Comparison comparison) throws Exception {
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Map<Instant, Double>> key : truth.hourCells(view).entrySet()) {
            Instant from = key.getValue().keySet().stream().min(Instant::compareTo).orElseThrow();
            Instant to = key.getValue().keySet().stream().max(Instant::compareTo).orElseThrow()
                    .plus(1, ChronoUnit.HOURS);
            JsonNode answer = client.series(view, key.getKey(), "hour", from, to);
            for (JsonNode point : answer.get("points")) {
                Instant start = Instant.parse(point.get("start").asString());
                Double expected = key.getValue().get(start);
                Double actual = point.get("value").isNull() ? null : point.get("value").asDouble();
                if (!matches(expected, actual, comparison)) {
                    diffs.add(view + " " + key.getKey() + " " + start + ": expected " + expected + ", got " + actual);
                }
            }
        }
        return diffs.size() > 20 ? diffs.subList(0, 20) : diffs;
    }

    private static boolean matches(Double expected, Double actual, Comparison comparison) {
        double e = expected == null ? 0 : expected;
        double a = actual == null ? 0 : actual;
        return switch (comparison) {
            case EXACT -> Math.abs(e - a) < 1e-6 * Math.max(1, Math.abs(e));
            case AT_LEAST -> a >= e - 1e-6 * Math.max(1, Math.abs(e));
            // HLL with lgK 12: 1.6 % relative standard error; 3 sigma, and ±2 for tiny counts
            case WITHIN_SKETCH_BOUND -> Math.abs(e - a) <= Math.max(2, 0.05 * e);
        };
    }
}
