package io.lambda.speed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.RealServersConnections;
import io.lambda.store.SpeedPartitionProgress;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The speed layer on real Kafka and Cassandra: a seeded stream with repeats, late events (hours and
 * days old), events beyond retention and poison records gives exactly the cells of the distinct
 * events, the poison records and only they are in the DLT, and the counters say what happened.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@Import(RealServersConnections.class)
class SpeedLayerIntegrationTests {

    private static final String KEYSPACE = SpeedFixture.unique("it_speed_");
    private static final String TOPIC = SpeedFixture.unique("it.speed.");
    private static final Instant NOW = Instant.now();
    private static final SeededStream STREAM = new SeededStream(42, 4000, 0.1, 24, NOW);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
        registry.add("lambda.events.topic", () -> TOPIC);
        registry.add("lambda.events.partitions", () -> 3);
        registry.add("spring.kafka.consumer.group-id", () -> TOPIC + ".speed");
        registry.add("spring.kafka.consumer.max-poll-records", () -> 300);
        registry.add("lambda.speed.progress-interval", () -> "200ms");
    }

    @BeforeAll
    static void topic() throws Exception {
        SpeedFixture.createTopic(RealServers.get().kafkaBootstrapServers(), TOPIC, 3);
        SpeedFixture.produce(RealServers.get().kafkaBootstrapServers(), TOPIC, STREAM.items());
    }

    @Autowired
    CqlSession session;

    @Autowired
    ViewCatalog views;

    @Autowired
    IngestEpoch epochs;

    @Autowired
    MeterRegistry meters;

    @Autowired
    SpeedPartitionProgress progress;

    private Aggregator oracle() {
        return new Aggregator(views, epochs);
    }

    @Test
    void everyCellEqualsTheFoldOfTheDistinctEventsLateOnesInTheirOwnBuckets() {
        Aggregator aggregator = oracle();
        Map<CellKey, Double> expected = STREAM.expected(aggregator, NOW);
        assertThat(expected.keySet().stream().map(CellKey::bucketStart))
                .as("the stream has events days old").anyMatch(b -> b.isBefore(NOW.minus(Duration.ofDays(2))));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(SpeedFixture.storedResults(session, KEYSPACE, aggregator)).isEqualTo(expected));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                SpeedFixture.groupLag(RealServers.get().kafkaBootstrapServers(), TOPIC + ".speed", TOPIC) == 0);
        // still exact once everything is committed: nothing applied twice
        assertThat(SpeedFixture.storedResults(session, KEYSPACE, aggregator)).isEqualTo(expected);
    }

    @Test
    void poisonRecordsAndOnlyTheyAreInTheDeadLetterTopicWithTheReason() {
        List<String> poisonKeys = STREAM.poison().stream().map(SeededStream.Item::key).sorted().toList();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() ->
                SpeedFixture.readAll(RealServers.get().kafkaBootstrapServers(), TOPIC + ".dlt").size() >= poisonKeys.size());
        List<ConsumerRecord<String, byte[]>> dead = SpeedFixture.readAll(RealServers.get().kafkaBootstrapServers(), TOPIC + ".dlt");

        assertThat(dead.stream().map(ConsumerRecord::key).sorted().toList()).isEqualTo(poisonKeys);
        Map<String, String> reasons = dead.stream().collect(Collectors.toMap(ConsumerRecord::key,
                r -> header(r, "lambda-dlt-reason")));
        assertThat(reasons.values()).allSatisfy(reason -> assertThat(reason).isNotBlank());
        assertThat(reasons.values()).anyMatch(reason -> reason.contains("unknown event format version 2"));
        assertThat(reasons.values()).anyMatch(reason -> reason.contains("not valid JSON"));
        assertThat(reasons.values()).anyMatch(reason -> reason.contains("missing field 'type'"));
        assertThat(dead).allSatisfy(r -> assertThat(header(r, "kafka_dlt-original-topic")).isEqualTo(TOPIC));
        SeededStream.Item notJson = STREAM.poison().stream()
                .filter(i -> new String(i.value(), StandardCharsets.UTF_8).equals("this is not json")).findFirst().orElseThrow();
        assertThat(dead.stream().filter(r -> r.key().equals(notJson.key())).findFirst().orElseThrow().value())
                .as("the original bytes are kept").isEqualTo(notJson.value());
    }

    @Test
    void repeatsAreCountedAsDuplicatesAndOldEventsAsBeyondRetention() {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(meters.get("lambda.speed.duplicates").counter().count()).isEqualTo((double) STREAM.repeats());
            assertThat(meters.get("lambda.speed.events").tag("outcome", "applied").counter().count())
                    .isEqualTo((double) STREAM.distinctEvents().size());
            assertThat(meters.get("lambda.speed.events").tag("outcome", "dead_lettered").counter().count())
                    .isEqualTo((double) STREAM.poison().size());
        });
        assertThat(meters.get("lambda.speed.events").tag("outcome", "beyond_retention").functionCounter().count())
                .isPositive();
        assertThat(meters.get("lambda.speed.skipped").tag("view", "revenue").tag("outcome", "missing_field")
                .functionCounter().count()).isPositive();
        assertThat(meters.get("lambda.speed.lateness").timer().max(java.util.concurrent.TimeUnit.DAYS)).isGreaterThan(1);
        assertThat(meters.get("lambda.speed.freshness").timer().count()).isPositive();
        assertThat(meters.get("lambda.speed.cells.read").counter().count())
                .as("one instance from the start: no partition had cells written before it, so no cell is read")
                .isZero();
        assertThat(meters.find("lambda.speed.lag").gauges()).isNotEmpty();
    }

    @Test
    void progressSaysHowFarEveryPartitionIsApplied() {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            List<SpeedPartitionProgress.Partition> partitions = progress.read(TOPIC);
            assertThat(partitions).hasSize(3).allSatisfy(p -> assertThat(p.lag()).isZero());
            assertThat(progress.speedThrough(TOPIC, 3)).hasValueSatisfying(t -> assertThat(t).isAfter(NOW));
        });
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
