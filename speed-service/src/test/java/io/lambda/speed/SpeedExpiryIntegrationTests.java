package io.lambda.speed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.cell.Aggregator;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.RealServersConnections;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.LongSummaryStatistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Expiry after absorption (docs/architecture.md, invariant 5): speed cells of epochs the published cut
 * has not passed stay; once it passes them they stay for the grace period, then are gone from every
 * speed table.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@Import(RealServersConnections.class)
class SpeedExpiryIntegrationTests {

    private static final String KEYSPACE = SpeedFixture.unique("it_expiry_");
    private static final String TOPIC = SpeedFixture.unique("it.expiry.");
    private static final List<String> TABLES = List.of("speed_cells", "speed_cells_by_bucket", "speed_cells_by_epoch",
            "speed_epochs");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
        registry.add("lambda.events.topic", () -> TOPIC);
        registry.add("lambda.events.partitions", () -> 2);
        registry.add("lambda.events.epoch-length", () -> "1m");
        registry.add("spring.kafka.consumer.group-id", () -> TOPIC + ".speed");
        registry.add("lambda.speed.expiry.grace", () -> "3s");
        registry.add("lambda.speed.expiry.sweep-interval", () -> "300ms");
    }

    @BeforeAll
    static void topic() throws Exception {
        SpeedFixture.createTopic(RealServers.get().kafkaBootstrapServers(), TOPIC, 2);
    }

    @Autowired
    CqlSession session;

    @Autowired
    LambdaStore store;

    @Autowired
    ViewCatalog views;

    @Autowired
    IngestEpoch epochs;

    @Test
    void cellsOfAbsorbedEpochsAreDeletedFromEveryTableAfterTheGraceOnly() {
        SeededStream stream = new SeededStream(7, 300, 0, 0, Instant.now());
        SpeedFixture.produce(RealServers.get().kafkaBootstrapServers(), TOPIC, stream.items());
        Aggregator aggregator = new Aggregator(views, epochs);
        var expected = stream.expected(aggregator, Instant.now());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(SpeedFixture.storedResults(session, KEYSPACE, aggregator)).isEqualTo(expected));
        LongSummaryStatistics written = SpeedFixture.storedCells(session, KEYSPACE, aggregator).keySet().stream()
                .mapToLong(SpeedCellKey::ingestEpoch).summaryStatistics();
        long cells = SpeedFixture.rowCount(session, KEYSPACE, "speed_cells");
        assertThat(SpeedFixture.rowCount(session, KEYSPACE, "speed_cells_by_epoch")).isEqualTo(cells);

        // a cut at the start of the first epoch written: nothing is absorbed, nothing goes
        PublishedVersion v1 = new PublishedVersion(1, Instant.ofEpochMilli(epochs.startMillis(written.getMin())));
        assertThat(store.catalog().compareAndSet(PublishedVersion.NOTHING, v1)).isTrue();
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() ->
                SpeedFixture.rowCount(session, KEYSPACE, "speed_cells") == cells);

        // a cut past every epoch written: everything is absorbed, and goes, but only after the grace
        PublishedVersion v2 = new PublishedVersion(2, Instant.ofEpochMilli(epochs.endMillis(written.getMax())));
        assertThat(store.catalog().compareAndSet(v1, v2)).isTrue();
        Instant published = Instant.now();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                TABLES.stream().allMatch(table -> SpeedFixture.rowCount(session, KEYSPACE, table) == 0));
        assertThat(Duration.between(published, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }
}
