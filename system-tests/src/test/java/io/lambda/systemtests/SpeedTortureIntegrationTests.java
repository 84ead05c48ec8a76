package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.ServiceProcess;
import io.lambda.localservers.StackLayout;
import io.lambda.systemtests.LambdaClient.Api;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 22, "must show" 3: the speed layer on engine {@code streams} keeps every cell exact (invariants 4
 * and 6 of docs/architecture.md) while its instances crash, freeze and come and go. Three speed-service
 * instances share the 6-partition events topic; a seeded stream (duplicates, late events with event times
 * over four days, out of order: {@link SeededWorkload}) goes through the ingest API while, at seeded points
 * of the stream:
 * <ul>
 *   <li>five SIGKILLs, each of a seeded instance (instance 0 included), each restarted at once with its
 *       static member id, and right after each kill a resend of events already acknowledged (repeats that
 *       straddle the crash: the duplicates window is committed state, so they must not count again);</li>
 *   <li>one instance (1 or 2) is SIGSTOPped until its partitions have moved to the others (past its session
 *       timeout), then SIGCONTed: a zombie that wakes up must be fenced, never write;</li>
 *   <li>scaling 3 → 1 → 3: instances 1 and 2 are stopped, instance 0 takes every partition, then both
 *       start again.</li>
 * </ul>
 * query-service reads speed cells from instance 0 ({@code lambda.query.speed.url}): instance 0 is never
 * paused or stopped; it may be killed, and it is always restarted, so it is up at the end. No batch run
 * is started (and the schedule is off), so every answer is the speed layer's alone. After the stream,
 * once every partition answers with lag 0, every REST series (hour buckets and total) and every top list
 * of the workload's keys must equal the ground truth exactly (distinct counts within the sketch's bound).
 *
 * <p>The speed instances run with {@code session.timeout.ms} = 10 s (Kafka's default is 45 s) so that the
 * pause and the scale-down, which both wait out a session, keep the test within CI time.
 *
 * <p>CI size: 3,000 submissions, one request of 25 at most every 250 ms, the faults spread over it (about
 * 3 minutes in all). Longer (size, pace and seed are system properties):
 * {@code ./mvnw -B verify -pl system-tests -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=SpeedTortureIntegrationTests -Dlambda.torture.events=100000 -Dlambda.torture.per-request=100
 * -Dlambda.torture.request-interval-ms=100 -Dlambda.torture.seed=7 -Dlambda.system.settle-minutes=10}.
 */
class SpeedTortureIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(SpeedTortureIntegrationTests.class);
    private static final int EVENTS = Integer.getInteger("lambda.torture.events", 3_000);
    private static final long SEED = Long.getLong("lambda.torture.seed", 20261207L);
    private static final long REQUEST_INTERVAL_MS = Long.getLong("lambda.torture.request-interval-ms", 250);
    private static final int PER_REQUEST = Integer.getInteger("lambda.torture.per-request", 25);
    private static final int PARTITIONS = 6;
    private static final int INSTANCES = 3;
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /** Repeats sent right after a kill are of the last this many acknowledged submissions. */
    private static final int RECENT = 500;

    private enum Fault { KILL, PAUSE, RESUME, SCALE_DOWN, SCALE_UP }

    private RunningStack stack;
    private LambdaClient client;
    /** Per instance, its restart or start in progress, if any. */
    private final Map<Integer, CompletableFuture<Void>> pending = new HashMap<>();

    @AfterEach
    void stopStack() {
        pending.values().forEach(future -> future.cancel(false));
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void threeInstancesKilledPausedAndScaledCountEveryEventExactlyOnce() throws Exception {
        long started = System.nanoTime();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("lambda.speed.engine", "streams"); // read by speed-service and query-service
        settings.put("lambda.ingest.topic.partitions", Integer.toString(PARTITIONS));
        settings.put("spring.kafka.streams.properties.session.timeout.ms", Long.toString(SESSION_TIMEOUT.toMillis()));
        stack = RunningStack.onSharedServers(Duration.ofMinutes(5), StackLayout.test(ProjectHome.locate()), settings);
        client = new LambdaClient(stack);
        for (int i = 1; i < INSTANCES; i++) {
            stack.startSpeed(i, Map.of());
        }
        log.info("stack with {} speed instances up in {} s", INSTANCES, seconds(started));

        Instant now = Instant.now();
        SeededWorkload workload = new SeededWorkload(SEED, "tt", EVENTS, now);
        List<Event> sent = workload.sent();
        int requests = (sent.size() + PER_REQUEST - 1) / PER_REQUEST;
        Random random = new Random(SEED);
        Map<Integer, Fault> faults = schedule(random, requests);
        // every instance is killed at least once, instance 0 included
        List<Integer> killTargets = new ArrayList<>(List.of(0, 1, 2, random.nextInt(INSTANCES), random.nextInt(INSTANCES)));
        Collections.shuffle(killTargets, random);
        log.info("{} submissions in {} requests; faults before requests {}, kills of instances {}", sent.size(),
                requests, faults, killTargets);

        List<Event> submissions = new ArrayList<>();
        int paused = -1;
        int kills = 0;
        long pausedAt = 0;
        long trafficStarted = System.nanoTime();
        for (int r = 0; r < requests; r++) {
            Fault fault = faults.get(r);
            if (fault == Fault.KILL) {
                int target = killTargets.get(kills); // never the paused one: no kill falls between pause and resume
                awaitPending(target); // the previous crash of this instance was restarted: crash it again
                stack.speed(target).kill();
                kills++;
                log.info("SIGKILL speed instance {} before request {} (kill {})", target, r, kills);
                restartLater(target);
                // repeats of events already acknowledged, whose originals the killed instance may have applied
                // in a transaction that the crash aborted, or committed just before it
                List<Event> recent = submissions.subList(Math.max(0, submissions.size() - RECENT), submissions.size());
                List<Event> again = new ArrayList<>();
                for (int i = 0; i < PER_REQUEST && !recent.isEmpty(); i++) {
                    again.add(recent.get(random.nextInt(recent.size())));
                }
                client.ingest(again, PER_REQUEST);
                submissions.addAll(again);
            } else if (fault == Fault.PAUSE) {
                paused = 1 + random.nextInt(INSTANCES - 1);
                awaitPending(paused);
                assertThat(stack.speed(paused).pause()).as("instance %d paused", paused).isTrue();
                pausedAt = System.nanoTime();
                log.info("SIGSTOP speed instance {} before request {}", paused, r);
            } else if (fault == Fault.RESUME) {
                String zombie = SpeedPartitions.host(stack.speed(paused));
                awaitPending(0);
                // past its session: the group moved its partitions, so every partition is answered by the
                // instance running it (not from a standby replica, which answers while the paused one still runs it)
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    SpeedPartitions report = SpeedPartitions.read(client, stack.speed(0));
                    assertThat(report.allActive()).as(report.toString()).isTrue();
                    assertThat(report.hosts()).as(report.toString()).doesNotContain(zombie);
                });
                log.info("MEASURE partitions of the paused instance {} answered by the others {} s after SIGSTOP",
                        paused, seconds(pausedAt));
                assertThat(stack.speed(paused).resume()).as("instance %d resumed", paused).isTrue();
                log.info("SIGCONT speed instance {} before request {}", paused, r);
                int woken = paused;
                paused = -1;
                long resumed = System.nanoTime();
                // the zombie wakes up fenced and rejoins as a new member: it sees the group's assignment again
                pending.put(woken, CompletableFuture.runAsync(() -> {
                    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                            .untilAsserted(() -> {
                                SpeedPartitions asWoken = SpeedPartitions.read(client, stack.speed(woken));
                                SpeedPartitions asFirst = SpeedPartitions.read(client, stack.speed(0));
                                assertThat(asWoken.missing()).as(asWoken.toString()).isEmpty();
                                assertThat(asFirst.missing()).as(asFirst.toString()).isEmpty();
                                assertThat(asWoken.owners()).as("as the woken instance sees them").isEqualTo(asFirst.owners());
                                assertThat(stack.speed(woken).isReady()).isTrue();
                            });
                    log.info("MEASURE the woken instance {} rejoined, same assignment as instance 0, {} s after SIGCONT",
                            woken, seconds(resumed));
                }));
            } else if (fault == Fault.SCALE_DOWN) {
                long scaling = System.nanoTime();
                List<CompletableFuture<Boolean>> stopping = new ArrayList<>();
                for (int i = 1; i < INSTANCES; i++) {
                    awaitPending(i);
                    stopping.add(CompletableFuture.supplyAsync(stack.speed(i)::stop)); // SIGTERM: a clean close
                }
                stopping.forEach(CompletableFuture::join);
                log.info("scaled {} → 1 before request {} (stopped in {} s)", INSTANCES, r, seconds(scaling));
            } else if (fault == Fault.SCALE_UP) {
                long alone = System.nanoTime();
                awaitPending(0); // a kill before the scale-down may have hit instance 0
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    SpeedPartitions report = SpeedPartitions.read(client, stack.speed(0));
                    assertThat(report.allActive()).as(report.toString()).isTrue();
                    assertThat(report.hosts()).as(report.toString()).containsExactly(SpeedPartitions.host(stack.speed(0)));
                });
                log.info("instance 0 answers for every partition alone ({} s more); scaling 1 → {} before request {}",
                        seconds(alone), INSTANCES, r);
                for (int i = 1; i < INSTANCES; i++) {
                    int instance = i;
                    pending.put(instance, CompletableFuture.runAsync(() -> start(instance)));
                }
            }
            long due = trafficStarted + TimeUnit.MILLISECONDS.toNanos(REQUEST_INTERVAL_MS * r);
            if (System.nanoTime() < due) {
                // pacing the traffic, not waiting for an outcome: the faults must fall while it flows
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime()));
            }
            List<Event> request = sent.subList(r * PER_REQUEST, Math.min(sent.size(), (r + 1) * PER_REQUEST));
            client.ingest(request, PER_REQUEST);
            submissions.addAll(request);
        }
        for (int i = 0; i < INSTANCES; i++) {
            awaitPending(i);
        }
        assertThat(kills).as("SIGKILLs").isEqualTo(5);
        ScenarioSteps.sendWhatMustNotCount(client, workload); // refused requests, poison records: count for nothing
        log.info("traffic and faults done in {} s; {} submissions ({} distinct)", seconds(trafficStarted),
                submissions.size(), submissions.stream().map(Event::eventId).distinct().count());

        GroundTruth truth = GroundTruth.of(submissions, now);
        Answers.Expected exact = Answers.exactly(truth);
        long settling = System.nanoTime();
        List<String> diffs = new ArrayList<>();
        await().atMost(ScenarioSteps.SETTLE).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            SpeedPartitions partitions = SpeedPartitions.read(client, stack.speed(0));
            assertThat(partitions.settled(PARTITIONS)).as("every partition answers, lag 0: " + partitions).isTrue();
            diffs.clear();
            diffs.addAll(restDiffs(workload, truth, exact));
            assertThat(diffs).as(() -> Answers.describe(diffs)).isEmpty();
        });
        for (int i = 0; i < INSTANCES; i++) {
            assertThat(stack.speed(i).isReady()).as("speed instance %d ready at the end", i).isTrue();
        }
        log.info("RESULT speed torture: {} submissions, 5 SIGKILLs, a SIGSTOP past the session, 3 → 1 → 3: "
                + "exact match (REST) {} s after the traffic; whole test {} s", submissions.size(), seconds(settling),
                seconds(started));
    }

    /** Every REST series and top list of the truth's keys against the expectation. */
    private List<String> restDiffs(SeededWorkload workload, GroundTruth truth, Answers.Expected expected)
            throws Exception {
        List<String> diffs = new ArrayList<>();
        for (String view : truth.views()) {
            for (String key : truth.keys(view)) {
                diffs.addAll(Answers.seriesDiffs(Api.REST, view, key,
                        client.series(Api.REST, view, key, truth.from(), truth.to()), expected));
            }
            diffs.addAll(Answers.topDiffs(Api.REST, view, client.top(Api.REST, view, truth.from(), truth.to(), 1000),
                    workload, expected));
        }
        return diffs;
    }

    /**
     * The faults, in this order, before seeded requests between 5 % and 95 % of the stream: two kills, the
     * pause and its resume, a kill, the scale-down and the scale-up, two kills.
     */
    private static Map<Integer, Fault> schedule(Random random, int requests) {
        List<Fault> order = List.of(Fault.KILL, Fault.KILL, Fault.PAUSE, Fault.RESUME, Fault.KILL, Fault.SCALE_DOWN,
                Fault.SCALE_UP, Fault.KILL, Fault.KILL);
        List<Integer> points = new ArrayList<>(
                ServiceFaultsIntegrationTests.seededPoints(random, order.size(), requests / 20, requests * 19 / 20));
        Collections.sort(points);
        Map<Integer, Fault> faults = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            faults.put(points.get(i), order.get(i));
        }
        return faults;
    }

    private void restartLater(int instance) {
        pending.put(instance, CompletableFuture.runAsync(() -> {
            try {
                long restarting = System.nanoTime();
                stack.restartSpeed(instance);
                log.info("speed instance {} restarted and ready in {} s", instance, seconds(restarting));
            } catch (Exception e) {
                throw new IllegalStateException("speed instance " + instance + " did not restart", e);
            }
        }));
    }

    private void start(int instance) {
        try {
            long starting = System.nanoTime();
            stack.restartSpeed(instance);
            log.info("speed instance {} started again and ready in {} s", instance, seconds(starting));
        } catch (Exception e) {
            throw new IllegalStateException("speed instance " + instance + " did not start", e);
        }
    }

    private void awaitPending(int instance) {
        CompletableFuture<Void> future = pending.remove(instance);
        if (future != null) {
            future.join();
        }
    }

    private static String seconds(long sinceNanos) {
        return String.format("%.1f", (System.nanoTime() - sinceNanos) / 1e9);
    }
}
