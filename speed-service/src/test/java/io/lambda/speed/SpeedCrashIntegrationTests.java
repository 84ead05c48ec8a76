package io.lambda.speed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.ServiceProcess;
import io.lambda.localservers.StackLayout;
import io.lambda.store.LambdaSchema;
import io.lambda.store.StoreSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exactly once in effect (docs/architecture.md, invariant 4), with the speed-service as a separate process
 * from its jar: SIGKILLed at random points while a seeded stream flows, three times, and restarted;
 * and two instances in one group, the second joining mid-stream and the first killed later (two
 * rebalances). After the stream settles every cell equals the fold of the events. The stream has
 * no repeats: a repeat of an event applied before a crash may slip past the (in-memory) dedup
 * window by design (invariant 6); what is tested here is that no record is lost or applied twice.
 */
class SpeedCrashIntegrationTests {

    private static final ProjectHome HOME = ProjectHome.locate();
    private static final ViewCatalog VIEWS = ViewCatalog.defaults();
    private static final IngestEpoch EPOCHS = IngestEpoch.ofMinutes(5);

    private final String keyspace = SpeedFixture.unique("it_crash_");
    private final String topic = SpeedFixture.unique("it.crash.");
    private final String group = topic + ".speed";
    private final String kafka = RealServers.get().kafkaBootstrapServers();
    private final Random random = new Random(4711);
    private ServiceProcess first;
    private ServiceProcess second;
    private CqlSession session;

    @BeforeEach
    void setUp() throws Exception {
        SpeedFixture.createTopic(kafka, topic, 3);
        first = new ServiceProcess(HOME, layout("speed-crash", 28082), "speed-service");
        second = new ServiceProcess(HOME, layout("speed-crash-b", 28092), "speed-service");
        session = SpeedFixture.session();
        LambdaSchema.apply(session, new StoreSettings(keyspace, 1, "default"));
    }

    @AfterEach
    void tearDown() {
        first.stop();
        second.stop();
        session.close();
    }

    @Test
    void killedThreeTimesAtRandomPointsTheCellsStillEqualTheFoldOfTheEvents() throws Exception {
        SeededStream stream = new SeededStream(99, 9000, 0, 12, Instant.now(), "crash");
        start(first);
        CompletableFuture<Void> producing = SpeedFixture.produceSteadily(kafka, topic, stream.items(), Duration.ofSeconds(60));
        for (int kill = 0; kill < 3; kill++) {
            long target = appliedCells() + 200 + random.nextInt(1500);
            await().atMost(Duration.ofSeconds(90)).until(() -> appliedCells() >= target);
            first.kill();
            start(first);
        }
        producing.get();
        assertSettledToTheFoldOf(stream);
    }

    @Test
    void aSecondInstanceJoiningAndTheFirstDyingMovePartitionsWithoutLossOrDoubleCount() throws Exception {
        SeededStream stream = new SeededStream(123, 9000, 0, 6, Instant.now(), "rebalance");
        start(first);
        CompletableFuture<Void> producing = SpeedFixture.produceSteadily(kafka, topic, stream.items(), Duration.ofSeconds(50));
        await().atMost(Duration.ofSeconds(90)).until(() -> appliedCells() > 300);
        start(second);
        long target = appliedCells() + 1000;
        await().atMost(Duration.ofSeconds(90)).until(() -> appliedCells() >= target);
        first.kill();
        producing.get();
        assertSettledToTheFoldOf(stream);
        assertThat(second.isRunning()).isTrue();
    }

    private void assertSettledToTheFoldOf(SeededStream stream) {
        Aggregator aggregator = new Aggregator(VIEWS, EPOCHS);
        Map<CellKey, Double> expected = stream.expected(aggregator, Instant.now());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(SpeedFixture.storedResults(session, keyspace, aggregator)).isEqualTo(expected));
        await().atMost(Duration.ofSeconds(60)).until(() -> SpeedFixture.groupLag(kafka, group, topic) == 0);
        assertThat(SpeedFixture.storedResults(session, keyspace, aggregator)).isEqualTo(expected);
    }

    /** How many speed cells exist: grows as the stream is applied, a cheap sign of progress. */
    private long appliedCells() {
        return SpeedFixture.rowCount(session, keyspace, "speed_cells");
    }

    private void start(ServiceProcess service) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("lambda.store.keyspace", keyspace);
        properties.put("lambda.events.topic", topic);
        properties.put("lambda.events.partitions", "3");
        properties.put("spring.kafka.consumer.group-id", group);
        properties.put("spring.kafka.consumer.max-poll-records", "300");
        // a killed member is noticed after 6 s instead of 45 s
        properties.put("spring.kafka.consumer.properties.session.timeout.ms", "6000");
        properties.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        service.start(properties);
        service.awaitReady(Duration.ofSeconds(120));
    }

    private static StackLayout layout(String name, int port) {
        return new StackLayout(name, HOME.stateDir().resolve(name), 19092, 19093, 19042, 17000,
                Map.of("speed-service", port));
    }
}
