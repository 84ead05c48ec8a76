package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import io.lambda.systemtests.LambdaClient.Answer;
import io.lambda.systemtests.LambdaClient.Api;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The whole stack under seeded workloads while its services crash or publish (scenarios 1, 2 and 5
 * of docs/reliability.md), on the shared Kafka and Cassandra. Each scenario has a key namespace of
 * its own, so they share one stack and still each compare all of their own answers, through REST
 * and GraphQL, with the ground truth. Size per scenario: {@code -Dlambda.system.events} (4,000 by
 * default; {@code -Psystem-large} sends 250,000 per scenario, 1.25 million in all).
 */
class ServiceFaultsIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(ServiceFaultsIntegrationTests.class);
    static final int EVENTS = Integer.getInteger("lambda.system.events", 4_000);
    static final int PER_REQUEST = 100;

    private static RunningStack stack;
    private static LambdaClient client;

    @BeforeAll
    static void startStack() {
        stack = RunningStack.onSharedServers(Duration.ofSeconds(10));
        client = new LambdaClient(stack);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    /** Scenario 1: speed-service SIGKILLed at three seeded points of the stream, restarted each time. */
    @Test
    void speedServiceKilledThreeTimesWhileTrafficFlows() throws Exception {
        Instant now = Instant.now();
        SeededWorkload workload = new SeededWorkload(20261101L, "s1", EVENTS, now);
        List<Event> sent = workload.sent();
        int requests = (sent.size() + PER_REQUEST - 1) / PER_REQUEST;
        Set<Integer> killBefore = seededPoints(new Random(20261101L), 3, requests / 10, requests * 9 / 10);
        int batchAt = requests / 2;
        CompletableFuture<Void> restarting = CompletableFuture.completedFuture(null);
        String midRun = null;
        for (int r = 0; r < requests; r++) {
            if (killBefore.contains(r)) {
                restarting.join(); // the previous crash's restart is complete: crash it again
                stack.service("speed-service").kill();
                log.info("speed-service SIGKILLed before request {} of {}", r, requests);
                restarting = CompletableFuture.runAsync(() -> restart("speed-service"));
            }
            if (r == batchAt) {
                midRun = client.startBatchRun("incremental"); // a batch cycle while traffic flows
            }
            client.ingest(sent.subList(r * PER_REQUEST, Math.min(sent.size(), (r + 1) * PER_REQUEST)), PER_REQUEST);
        }
        restarting.join();
        JsonNode mid = client.awaitBatchRunEnd(midRun);
        assertThat(mid.path("status").asString()).as(mid.toString()).isIn("PUBLISHED", "UNCHANGED");

        // repeats of events the mid-stream run may have absorbed: duplicates across a batch cut
        List<Event> submissions = new ArrayList<>(sent);
        List<Event> again = workload.resend(sent.subList(0, batchAt * PER_REQUEST), Math.max(1, sent.size() / 20));
        client.ingest(again, PER_REQUEST);
        submissions.addAll(again);
        ScenarioSteps.sendWhatMustNotCount(client, workload);
        Instant lastIngest = Instant.now();

        // Before the final batch: nothing lost; above the truth only by repeats that slipped past a
        // duplicates window emptied by a crash.
        ScenarioSteps.awaitAnswers(client, workload, Answers.between(GroundTruth.of(submissions, now),
                GroundTruth.everySubmission(submissions, now)), ScenarioSteps.SETTLE);
        ScenarioSteps.settleAndCompare("speed-service SIGKILLed 3 times", client, workload, submissions, lastIngest,
                "full", now);
    }

    /** Scenario 2: batch-service SIGKILLed while a run is in progress; restarted, the run completes. */
    @Test
    void batchServiceKilledMidRecomputeAndTheRunCompletesAfterARestart() throws Exception {
        Instant now = Instant.now();
        SeededWorkload workload = new SeededWorkload(20261102L, "s2", EVENTS, now);
        List<Event> sent = workload.sent();
        int half = sent.size() / 2;
        client.ingest(sent.subList(0, half), PER_REQUEST);
        // a version holding the first half, so that the full run below surely has events to recompute
        client.batchRunPast(Instant.now(), "incremental");

        String runId = client.startBatchRun("full"); // full: it reads every archived event, the longest run
        JsonNode[] progress = new JsonNode[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            progress[0] = client.batchRunState(runId);
            return progress[0].path("stepSeconds").has("map") // the recompute proper is under way
                    || !progress[0].path("status").asString().equals("RUNNING");
        });
        assertThat(progress[0].path("status").asString()).as("the run must still be running when killed: " + progress[0])
                .isEqualTo("RUNNING");
        stack.service("batch-service").kill();
        log.info("batch-service SIGKILLed mid-run: {}", progress[0]);

        client.ingest(sent.subList(half, sent.size()), PER_REQUEST); // traffic goes on while the batch layer is down
        stack.restart("batch-service");
        JsonNode resumed = client.awaitBatchRunEnd(runId);
        assertThat(resumed.path("status").asString()).as(resumed.toString()).isEqualTo("PUBLISHED");
        assertThat(resumed.path("attempts").asInt()).as(resumed.toString()).isGreaterThanOrEqualTo(2);

        List<Event> submissions = new ArrayList<>(sent);
        List<Event> again = workload.resend(sent.subList(0, half), Math.max(1, sent.size() / 20));
        client.ingest(again, PER_REQUEST);
        submissions.addAll(again);
        ScenarioSteps.sendWhatMustNotCount(client, workload);
        ScenarioSteps.settleAndCompare("batch-service SIGKILLed mid-recompute", client, workload, submissions,
                Instant.now(), "incremental", now);
    }

    /**
     * Scenario 5: a batch publish while queries run. Before it, a version v1 holds part A and the
     * speed layer the rest; after it, v2 holds (nearly) everything. At either cut the merge must give
     * exactly the truth, so every answer taken meanwhile, whatever version it reports, must equal it.
     */
    @Test
    void aPublishWhileQueriesRunNeverDoubleCountsOrMisses() throws Exception {
        Instant now = Instant.now();
        SeededWorkload workload = new SeededWorkload(20261105L, "s5", EVENTS, now);
        List<Event> sent = workload.sent();
        int partA = sent.size() * 6 / 10;
        client.ingest(sent.subList(0, partA), PER_REQUEST);
        JsonNode v1 = client.batchRunPast(Instant.now(), "incremental");

        List<Event> submissions = new ArrayList<>(sent);
        List<Event> again = workload.resend(sent.subList(Math.max(0, partA - 1000), partA), Math.max(1, sent.size() / 20));
        client.ingest(again, PER_REQUEST); // repeats across v1's cut, well within the speed layer's window
        submissions.addAll(again);
        client.ingest(sent.subList(partA, sent.size()), PER_REQUEST);
        ScenarioSteps.sendWhatMustNotCount(client, workload);
        Instant lastIngest = Instant.now();
        GroundTruth truth = GroundTruth.of(submissions, now);
        Answers.Expected exact = Answers.exactly(truth);
        ScenarioSteps.awaitAnswers(client, workload, exact, ScenarioSteps.SETTLE); // v1 + speed: exact

        AtomicBoolean querying = new AtomicBoolean(true);
        List<String> diffs = new CopyOnWriteArrayList<>();
        Set<Long> versions = new ConcurrentSkipListSet<>();
        AtomicInteger answers = new AtomicInteger();
        List<CompletableFuture<Void>> queriers = new ArrayList<>();
        for (Api api : Api.values()) {
            queriers.add(CompletableFuture.runAsync(() -> {
                while (querying.get()) {
                    for (String view : truth.views()) {
                        for (String key : truth.keys(view)) {
                            try {
                                Answer answer = client.series(api, view, key, truth.from(), truth.to());
                                diffs.addAll(Answers.seriesDiffs(api, view, key, answer, exact));
                                versions.add(answer.body().at("/provenance/batchVersion").asLong());
                                answers.incrementAndGet();
                            } catch (Exception e) {
                                diffs.add(api + " " + view + " " + key + ": " + e);
                            }
                        }
                    }
                }
            }));
        }
        await().atMost(Duration.ofMinutes(1)).until(() -> answers.get() > 50 || !diffs.isEmpty()); // some at v1
        JsonNode v2 = client.batchRunPast(lastIngest, "incremental");
        int atPublish = answers.get();
        await().atMost(Duration.ofMinutes(1)).until(() -> answers.get() > atPublish + 200);
        querying.set(false);
        CompletableFuture.allOf(queriers.toArray(CompletableFuture[]::new)).join();
        log.info("{} answers during the publish of version {} (from {}), versions seen {}", answers.get(),
                v2.path("version").asLong(), v1.path("version").asLong(), versions);
        assertThat(diffs).as(() -> Answers.describe(diffs)).isEmpty();
        assertThat(versions).as("answers at the versions before and after the publish")
                .contains(v1.path("version").asLong(), v2.path("version").asLong());
        ScenarioSteps.settleAndCompare("batch publish while queries run (" + answers.get() + " answers checked)",
                client, workload, submissions, lastIngest, "incremental", now);
    }

    /** {@code count} distinct request indices in {@code [from, to)}, from the seed. */
    static Set<Integer> seededPoints(Random random, int count, int from, int to) {
        List<Integer> all = new ArrayList<>();
        for (int i = from; i < to; i++) {
            all.add(i);
        }
        Collections.shuffle(all, random);
        return new TreeSet<>(all.subList(0, Math.min(count, all.size())));
    }

    private static void restart(String module) {
        try {
            stack.restart(module);
        } catch (Exception e) {
            throw new IllegalStateException(module + " did not restart", e);
        }
    }
}
