package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import io.lambda.systemtests.LambdaClient.Answer;
import io.lambda.systemtests.LambdaClient.Api;
import io.lambda.systemtests.LambdaClient.Attempt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole stack while a server goes away (scenarios 3 and 4 of docs/reliability.md): on a Kafka
 * (25092) and a Cassandra (25042) of this class's own, with the services on 25080-25083, so the
 * shared servers are never stopped. Each scenario has a key namespace of its own and ends with
 * the same comparison as every other. Size per scenario: {@code -Dlambda.system.events}.
 */
class ServerOutagesIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(ServerOutagesIntegrationTests.class);
    private static final int EVENTS = ServiceFaultsIntegrationTests.EVENTS;
    /** Small requests, so that many are in flight around the broker's death. */
    private static final int PER_REQUEST = 50;
    private static final Duration CASSANDRA_OUTAGE = Duration.ofSeconds(20);

    private static RunningStack stack;
    private static LambdaClient client;

    @BeforeAll
    static void startStack() {
        stack = RunningStack.onOwnServers(Duration.ofSeconds(10));
        client = new LambdaClient(stack);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    /**
     * Scenario 3: the broker SIGKILLed and restarted while events are posted. A request sent while it
     * is dead gets 503, never 202; the client resends refused requests with the same ids until they
     * are stored, and every event that got a 202 is counted, exactly once.
     */
    @Test
    void kafkaKilledDuringIngestEveryAcceptedEventCountsAndNoneIsAcceptedWhileItIsDown() throws Exception {
        Instant now = Instant.now();
        SeededWorkload workload = new SeededWorkload(20261103L, "s3", EVENTS, now);
        List<Event> sent = workload.sent();
        List<Attempt> attempts = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> ingest(sent, attempts));

        await().atMost(Duration.ofMinutes(2)).until(() -> accepted(attempts) >= sent.size() / 4 || sender.isDone());
        assertThat(sender).as("the traffic must still flow when the broker dies").isNotDone();
        stack.ownKafka().kill();
        long killed = System.nanoTime();
        log.info("Kafka SIGKILLed after {} of {} events got 202", accepted(attempts), sent.size());
        // while it is dead, the sender's requests come back refused
        await().atMost(Duration.ofMinutes(1)).until(() -> attempts.stream()
                .filter(a -> a.startNanos() > killed && a.status() == 503).count() >= 2);
        long restarting = System.nanoTime();
        stack.ownKafka().start(Duration.ofMinutes(2));
        sender.join();

        List<Attempt> whileDown = attempts.stream()
                .filter(a -> a.startNanos() > killed && a.endNanos() < restarting).toList();
        log.info("{} requests while the broker was dead: statuses {}", whileDown.size(),
                whileDown.stream().map(Attempt::status).toList());
        assertThat(whileDown).isNotEmpty().allSatisfy(a -> assertThat(a.status()).isEqualTo(503));

        List<Event> submissions = new ArrayList<>(sent);
        List<Event> again = workload.resend(sent, Math.max(1, sent.size() / 20));
        client.ingest(again, PER_REQUEST);
        submissions.addAll(again);
        ScenarioSteps.sendWhatMustNotCount(client, workload);
        ScenarioSteps.settleAndCompare("Kafka SIGKILLed during ingest (" + whileDown.size() + " requests 503 while down)",
                client, workload, submissions, Instant.now(), "incremental", now);
    }

    /**
     * Scenario 4: Cassandra stopped for 20 s while events are posted and queries run. Meanwhile each
     * answer is a 503 or flagged partial; one that is neither must still be right (between what was
     * visible before and everything sent). Afterwards answers are whole and exact.
     */
    @Test
    void cassandraStoppedForTwentySecondsQueriesAreFlaggedOrRefusedThenWholeAndExact() throws Exception {
        Instant now = Instant.now();
        SeededWorkload workload = new SeededWorkload(20261104L, "s4", EVENTS, now);
        List<Event> sent = workload.sent();
        List<Event> partA = sent.subList(0, sent.size() / 2);
        client.ingest(partA, PER_REQUEST);
        GroundTruth before = GroundTruth.of(partA, now);
        ScenarioSteps.awaitAnswers(client, workload, Answers.exactly(before), ScenarioSteps.SETTLE);

        CompletableFuture<Void> sender = CompletableFuture.runAsync(() ->
                ingest(sent.subList(partA.size(), sent.size()), new CopyOnWriteArrayList<>()));
        stack.ownCassandra().stop();
        Answers.Expected meanwhile = Answers.between(before, GroundTruth.everySubmission(sent, now));
        List<String> diffs = new ArrayList<>();
        int refused = 0;
        int flagged = 0;
        int unflagged = 0;
        long end = System.nanoTime() + CASSANDRA_OUTAGE.toNanos();
        while (System.nanoTime() < end) {
            for (Api api : Api.values()) {
                for (String view : before.views()) {
                    String key = before.keys(view).iterator().next();
                    Answer answer = client.series(api, view, key, before.from(), before.to());
                    if (answer.status() == 503) {
                        refused++;
                    } else if (answer.status() == 200 && answer.partial()) {
                        flagged++;
                        assertThat(answer.body().at("/provenance/warnings")).as(answer.body().toString()).isNotEmpty();
                    } else {
                        unflagged++;
                        diffs.addAll(Answers.seriesDiffs(api, view, key, answer, meanwhile));
                    }
                }
            }
        }
        log.info("Cassandra down {} s: {} answers 503, {} flagged partial, {} unflagged", CASSANDRA_OUTAGE.toSeconds(),
                refused, flagged, unflagged);
        stack.ownCassandra().start(Duration.ofMinutes(3));
        // whole again once the query side has found the node again (its readiness includes Cassandra)
        stack.service("query-service").awaitReady(Duration.ofMinutes(2));
        sender.join();
        assertThat(diffs).as(() -> Answers.describe(diffs)).isEmpty();
        assertThat(refused + flagged).as("answers while Cassandra was down").isPositive();

        List<Event> submissions = new ArrayList<>(sent);
        List<Event> again = workload.resend(partA, Math.max(1, sent.size() / 20));
        client.ingest(again, PER_REQUEST);
        submissions.addAll(again);
        ScenarioSteps.sendWhatMustNotCount(client, workload);
        ScenarioSteps.settleAndCompare("Cassandra stopped " + CASSANDRA_OUTAGE.toSeconds() + " s (" + refused
                        + " answers 503, " + flagged + " partial, " + unflagged + " unflagged meanwhile)",
                client, workload, submissions, Instant.now(), "incremental", now);
    }

    private static long accepted(List<Attempt> attempts) {
        return attempts.stream().filter(a -> a.status() == 202).mapToLong(Attempt::events).sum();
    }

    private static void ingest(List<Event> events, List<Attempt> attempts) {
        try {
            client.ingest(events, PER_REQUEST, attempts::add);
        } catch (Exception e) {
            throw new IllegalStateException("ingest failed", e);
        }
    }
}
