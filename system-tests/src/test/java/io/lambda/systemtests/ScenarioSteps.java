package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** The steps every fault scenario shares: what must count for nothing, and the same final comparison. */
final class ScenarioSteps {

    private static final Logger log = LoggerFactory.getLogger(ScenarioSteps.class);

    /**
     * How long the stack may take to settle (the speed layer catching up, a batch run passing a
     * point): 3 minutes at CI size; a large workload's runs take minutes each
     * ({@code -Dlambda.system.settle-minutes}, set by {@code -Psystem-large}).
     */
    static final Duration SETTLE = Duration.ofMinutes(Long.getLong("lambda.system.settle-minutes", 3));

    private ScenarioSteps() {
    }

    /**
     * Sends what must not change any answer: each malformed request must be refused as a whole
     * (400), and the poison records go straight to the events topic.
     */
    static void sendWhatMustNotCount(LambdaClient client, SeededWorkload workload) throws Exception {
        for (String body : workload.malformedRequests()) {
            assertThat(client.postRaw(body)).as(body).isEqualTo(400);
        }
        client.writeToTopic(workload.poisonRecords());
    }

    /** Waits until both APIs answer within the expectation everywhere (the layers catching up). */
    static void awaitAnswers(LambdaClient client, SeededWorkload workload, Answers.Expected expected,
                             Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<String> diffs = Answers.diffs(client, workload, expected);
            assertThat(diffs).as(() -> Answers.describe(diffs)).isEmpty();
        });
    }

    /**
     * The ending of every scenario: batch cycles until one has absorbed everything sent (its cut is
     * past the last ingest), then every answer of both APIs must equal the ground truth.
     */
    static void settleAndCompare(String scenario, LambdaClient client, SeededWorkload workload,
                                 List<Event> submissions, Instant lastIngest, String mode, Instant now)
            throws Exception {
        JsonNode run = client.batchRunPast(lastIngest, mode);
        GroundTruth truth = GroundTruth.of(submissions, now);
        List<String> diffs = Answers.diffs(client, workload, Answers.exactly(truth));
        long distinct = submissions.stream().map(Event::eventId).distinct().count();
        log.info("RESULT {}: {} submissions ({} distinct events), batch version {} ({} run, cut {}): {}", scenario,
                submissions.size(), distinct, run.path("version").asLong(), mode, run.path("cut").asString(),
                diffs.isEmpty() ? "exact match (REST and GraphQL)" : Answers.describe(diffs));
        assertThat(diffs).as(() -> Answers.describe(diffs)).isEmpty();
    }
}
