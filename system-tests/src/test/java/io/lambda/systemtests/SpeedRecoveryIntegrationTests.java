package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.StackLayout;
import io.lambda.systemtests.LambdaClient.Answer;
import io.lambda.systemtests.LambdaClient.Api;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Issue 22, "must show" 4: how fast the speed layer (engine {@code streams}) answers fully again after an
 * instance dies, measured through the public APIs and logged ({@code MEASURE}):
 * <ul>
 *   <li>one instance under steady ingest ({@code -Dlambda.recovery.events-per-second}, 1,000 by default),
 *       SIGKILLed and restarted with the same static member id: from "ready again" until the speed lag that
 *       query-service's {@code /api/v1/freshness} reports is below 1 s: at most 10 s;</li>
 *   <li>two instances with {@code standby-replicas=1}, one SIGKILLed and not restarted: until every
 *       partition answers again through query-service ({@code partial} false): at most 5 s, which asks the
 *       fan-out to read a dead instance's partitions from the standby replica instead of waiting out the
 *       session timeout (Kafka's default, 45 s, here on purpose).</li>
 * </ul>
 * Both also check that the counts are exact afterwards. No batch run is started: speed answers alone.
 * Run: {@code ./mvnw -B verify -pl system-tests -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=SpeedRecoveryIntegrationTests}.
 */
class SpeedRecoveryIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(SpeedRecoveryIntegrationTests.class);
    private static final int EVENTS_PER_SECOND = Integer.getInteger("lambda.recovery.events-per-second", 1_000);
    private static final int PER_REQUEST = 100;
    private static final List<String> URLS = List.of("/rc/home", "/rc/pricing", "/rc/docs", "/rc/a|b", "/rc/blog");

    private RunningStack stack;
    private LambdaClient client;
    private final AtomicBoolean sending = new AtomicBoolean();

    @AfterEach
    void stopStack() {
        sending.set(false);
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aKilledInstanceRestartedWithItsMemberIdIsCaughtUpWithinTenSecondsOfBeingReady() throws Exception {
        stack = stack(Map.of());
        client = new LambdaClient(stack);
        Map<String, Long> acknowledged = new TreeMap<>();
        AtomicLong sent = new AtomicLong();
        sending.set(true);
        long trafficStarted = System.nanoTime();
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> steadyIngest(acknowledged, sent));

        // steady state first: ten seconds of traffic, and the speed layer keeps up with it
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> traffic.isDone() || sent.get() >= 10L * EVENTS_PER_SECOND && speedLagSeconds() < 1);
        assertThat(traffic).isNotDone();
        log.info("steady: {} events acknowledged, speed lag {} s", sent.get(), speedLagSeconds());

        long killed = System.nanoTime();
        stack.speed(0).kill();
        stack.restartSpeed(0);
        long ready = System.nanoTime();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> speedLagSeconds() < 1 || traffic.isDone());
        long caughtUp = System.nanoTime();
        assertThat(traffic).isNotDone();
        Duration catchUp = Duration.ofNanos(caughtUp - ready);
        log.info("MEASURE restart under {} events/s: SIGKILL to ready {} ms, ready to speed lag < 1 s {} ms",
                EVENTS_PER_SECOND, TimeUnit.NANOSECONDS.toMillis(ready - killed), catchUp.toMillis());

        sending.set(false);
        traffic.join();
        log.info("traffic: {} events in {} s ({} events/s asked)", sent.get(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - trafficStarted), EVENTS_PER_SECOND);
        awaitExactCounts(acknowledged);
        assertThat(catchUp).as("from ready to speed lag < 1 s").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aStandbyAnswersForAKilledInstanceWithinFiveSeconds() throws Exception {
        stack = stack(Map.of("lambda.speed.streams.standby-replicas", "1"));
        client = new LambdaClient(stack);
        stack.startSpeed(1, Map.of());
        Map<String, Long> acknowledged = new TreeMap<>();
        List<Event> events = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < 3_000; i++) {
            Event event = pageview("sb-" + i, i, now);
            events.add(event);
            acknowledged.merge(event.attribute("url").toString(), 1L, Long::sum);
        }
        client.ingest(events, PER_REQUEST);
        awaitExactCounts(acknowledged);
        String victim = SpeedPartitions.host(stack.speed(1));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            SpeedPartitions partitions = SpeedPartitions.read(client, stack.speed(0));
            assertThat(partitions.settled(6)).as(partitions.toString()).isTrue();
            assertThat(partitions.hosts()).as("both instances hold active partitions: " + partitions).contains(victim);
        });

        long killed = System.nanoTime();
        stack.speed(1).kill();
        Answer[] last = new Answer[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = client.top(Api.REST, "pageviews", from(now), to(now), 100);
            return last[0].status() == 200 && !last[0].partial();
        });
        Duration whole = Duration.ofNanos(System.nanoTime() - killed);
        log.info("MEASURE standby takeover: SIGKILL of one of two instances (standby-replicas=1) to every partition "
                + "answering through query-service {} ms", whole.toMillis());
        assertThat(counts(last[0])).isEqualTo(acknowledged);
        assertThat(whole).as("from SIGKILL to every partition answering (partial false)").isLessThan(Duration.ofSeconds(5));
    }

    private static RunningStack stack(Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("lambda.speed.engine", "streams"); // read by speed-service and query-service
        settings.put("lambda.ingest.topic.partitions", "6");
        settings.putAll(extra);
        return RunningStack.onSharedServers(Duration.ofMinutes(5), StackLayout.test(ProjectHome.locate()), settings);
    }

    /** Pageviews at {@link #EVENTS_PER_SECOND} in requests of {@link #PER_REQUEST} until {@link #sending} ends. */
    private void steadyIngest(Map<String, Long> acknowledged, AtomicLong sent) {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * PER_REQUEST / EVENTS_PER_SECOND;
        long next = System.nanoTime();
        try {
            while (sending.get()) {
                List<Event> request = new ArrayList<>(PER_REQUEST);
                Instant now = Instant.now();
                for (int i = 0; i < PER_REQUEST; i++) {
                    long n = sent.get() + i;
                    request.add(pageview("st-" + n, n, now));
                }
                client.ingest(request, PER_REQUEST);
                synchronized (acknowledged) {
                    request.forEach(e -> acknowledged.merge(e.attribute("url").toString(), 1L, Long::sum));
                }
                sent.addAndGet(request.size());
                next += intervalNanos;
                long ahead = next - System.nanoTime();
                if (ahead > 0) {
                    TimeUnit.NANOSECONDS.sleep(ahead); // pacing the traffic, not waiting for an outcome
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("steady ingest stopped after " + sent.get() + " events", e);
        }
    }

    private static Event pageview(String id, long n, Instant at) {
        return new Event(id, "pageview", at, Map.of("url", URLS.get((int) (n % URLS.size())), "userId", "u" + n % 97));
    }

    /** The speed lag query-service reports; infinite while it is unknown (a partition that did not answer). */
    private double speedLagSeconds() throws Exception {
        HttpResponse<String> response = client.get(stack.url("query-service", "/api/v1/freshness"));
        JsonNode lag = LambdaClient.JSON.readTree(response.body()).get("speedLagSeconds");
        return response.statusCode() != 200 || lag == null || lag.isNull() ? Double.POSITIVE_INFINITY : lag.asDouble();
    }

    /** Waits until the top list of pageviews is whole and counts every acknowledged event exactly once. */
    private void awaitExactCounts(Map<String, Long> acknowledged) {
        Instant now = Instant.now();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Answer top = client.top(Api.REST, "pageviews", from(now), to(now), 100);
            assertThat(top.status()).as(top.body().toString()).isEqualTo(200);
            assertThat(top.partial()).as(top.body().toString()).isFalse();
            synchronized (acknowledged) {
                assertThat(counts(top)).isEqualTo(acknowledged);
            }
        });
    }

    private static Map<String, Long> counts(Answer top) {
        Map<String, Long> counts = new TreeMap<>();
        top.body().path("items").forEach(item -> counts.put(item.get("key").asString(), item.get("value").asLong()));
        return counts;
    }

    /** Day-aligned around now, wide enough for a run that crosses midnight. */
    private static Instant from(Instant now) {
        return now.truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
    }

    private static Instant to(Instant now) {
        return now.truncatedTo(ChronoUnit.DAYS).plus(2, ChronoUnit.DAYS);
    }
}
