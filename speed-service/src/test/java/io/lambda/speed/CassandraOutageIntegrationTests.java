package io.lambda.speed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.localservers.CassandraServer;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.StackLayout;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Backpressure: Cassandra stopped for 20 s while the stream flows. Consumption pauses (nothing is
 * committed past what is written), resumes when Cassandra is back, and the cells end up exactly the
 * fold of the distinct events: nothing lost, nothing counted twice, the lag back to zero. Runs on a
 * Cassandra of its own (ports 29042/27000), never on the shared one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
class CassandraOutageIntegrationTests {

    private static final ProjectHome HOME = ProjectHome.locate();
    private static final CassandraServer CASSANDRA = new CassandraServer(HOME, new StackLayout("speed-it",
            HOME.stateDir().resolve("speed-it"), 0, 0, 29042, 27000, Map.of()));
    private static final String KEYSPACE = SpeedFixture.unique("it_outage_");
    private static final String TOPIC = SpeedFixture.unique("it.outage.");
    private static final String GROUP = TOPIC + ".speed";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> RealServers.get().kafkaBootstrapServers());
        registry.add("spring.cassandra.contact-points", () -> "127.0.0.1:29042");
        registry.add("spring.cassandra.local-datacenter", () -> CassandraServer.DATACENTER);
        registry.add("spring.cassandra.request.timeout", () -> "10s"); // a fresh node creates tables slowly
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
        registry.add("lambda.events.topic", () -> TOPIC);
        registry.add("lambda.events.partitions", () -> 3);
        registry.add("spring.kafka.consumer.group-id", () -> GROUP);
        registry.add("spring.kafka.consumer.max-poll-records", () -> 500);
        registry.add("lambda.speed.retry.max", () -> "1s");
    }

    @BeforeAll
    static void servers() throws Exception {
        CASSANDRA.start(Duration.ofSeconds(120));
        SpeedFixture.createTopic(RealServers.get().kafkaBootstrapServers(), TOPIC, 3);
    }

    @AfterAll
    static void stopCassandra() {
        CASSANDRA.stop();
    }

    @Autowired
    CqlSession session;

    @Autowired
    ViewCatalog views;

    @Autowired
    IngestEpoch epochs;

    @Autowired
    MeterRegistry meters;

    @Test
    void aTwentySecondOutageLosesNothingAndCountsNothingTwice() throws Exception {
        String kafka = RealServers.get().kafkaBootstrapServers();
        Instant now = Instant.now();
        SeededStream stream = new SeededStream(2026, 6000, 0.05, 0, now);
        CompletableFuture<Void> producing = SpeedFixture.produceSteadily(kafka, TOPIC, stream.items(), Duration.ofSeconds(50));

        await().atMost(Duration.ofSeconds(60)).until(() ->
                meters.get("lambda.speed.events").tag("outcome", "applied").counter().count() > 500);
        CASSANDRA.stop();
        // while Cassandra is down the stream keeps coming and nothing can be written: the lag stays
        await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).until(() ->
                SpeedFixture.groupLag(kafka, GROUP, TOPIC) > 0);
        CASSANDRA.start(Duration.ofSeconds(120));

        producing.get();
        Aggregator aggregator = new Aggregator(views, epochs);
        Map<CellKey, Double> expected = stream.expected(aggregator, now);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(SpeedFixture.storedResults(session, KEYSPACE, aggregator)).isEqualTo(expected));
        await().atMost(Duration.ofSeconds(60)).until(() -> SpeedFixture.groupLag(kafka, GROUP, TOPIC) == 0);
        assertThat(SpeedFixture.storedResults(session, KEYSPACE, aggregator)).isEqualTo(expected);
        assertThat(meters.get("lambda.speed.events").tag("outcome", "applied").counter().count())
                .as("every distinct event applied once").isEqualTo((double) stream.distinctEvents().size());
    }
}
