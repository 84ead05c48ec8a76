package io.lambda.batch.recompute;

import static io.lambda.batch.BatchTestKit.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.batch.BatchTestKit;
import io.lambda.batch.system.BatchStore;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.Event;
import io.lambda.core.time.Granularity;
import io.lambda.localservers.RealServersConnections;
import io.lambda.store.PublishedVersion;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The batch layer end to end on real Kafka and Cassandra: events travel through the topic, the
 * archiver writes the master dataset, and runs publish versions. Proves that duplicates count once
 * (the first ingest wins), that a late event lands in its old bucket, that an incremental run
 * gives exactly the cells of a full run over the same data, and that a run is refused while
 * another replica holds the run lease.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealServersConnections.class)
class RecomputeIntegrationTests {

    private static final String TOPIC = "it.batch." + UUID.randomUUID();
    private static final String KEYSPACE = BatchTestKit.keyspace();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        BatchTestKit.createTopic(TOPIC, 3);
        registry.add("lambda.events.topic", () -> TOPIC);
        registry.add("lambda.events.epoch-length", () -> "1s");
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
        registry.add("spring.kafka.consumer.group-id", () -> "it-archiver-" + KEYSPACE);
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:" + KEYSPACE + ";DB_CLOSE_DELAY=-1");
        registry.add("lambda.batch.clock-skew-margin", () -> "200ms");
        registry.add("lambda.batch.instance-id", () -> "it-" + KEYSPACE);
        registry.add("lambda.batch.schedule.enabled", () -> "false");
        registry.add("lambda.batch.recompute.map-partitions", () -> "5");
        registry.add("lambda.batch.recompute.write-chunk", () -> "7");
    }

    private static KafkaProducer<String, byte[]> producer;
    private static CqlSession session;

    @LocalServerPort
    int port;

    @Autowired
    BatchStore store;

    @Autowired
    BatchCut batchCut;

    @Autowired
    Aggregator aggregator;

    @BeforeAll
    static void connect() {
        producer = BatchTestKit.producer();
        session = BatchTestKit.session();
    }

    @AfterAll
    static void close() {
        producer.close();
        BatchTestKit.dropKeyspace(session, KEYSPACE);
        session.close();
    }

    @Test
    void incrementalRunEqualsFullRunWithDuplicatesOnceAndLateEventsInTheirOldBucket() throws Exception {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        long last = 0;
        for (int i = 0; i < 60; i++) {
            last = Math.max(last, send(pageview("a-" + i, minute, "/p" + (i % 5), "u" + (i % 7))).timestamp());
        }
        // The same id twice: the first ingest (url /first) wins, the second is never counted.
        send(pageview("dup-1", minute, "/first", "u1"));
        last = send(pageview("dup-1", minute, "/second", "u2")).timestamp();
        last = Math.max(last, send(purchase("b-1", minute, "DE", 12.5)).timestamp());
        last = Math.max(last, send(purchase("b-2", minute, "DE", 7.5)).timestamp());

        JsonNode first = runUntilDone("full", last);
        assertThat(first.get("status").asString()).isEqualTo("PUBLISHED");
        long v1 = first.get("version").asLong();
        assertThat(first.get("eventsRead").asLong()).isEqualTo(63);
        Map<CellKey, Double> cells1 = BatchTestKit.cells(session, KEYSPACE, v1, aggregator);
        assertThat(cells1.get(cell("pageviews", "/first", Granularity.HOUR, minute))).isEqualTo(1.0);
        assertThat(cells1).doesNotContainKey(cell("pageviews", "/second", Granularity.HOUR, minute));
        assertThat(cells1.get(cell("pageviews", "/p0", Granularity.MINUTE, minute))).isEqualTo(12.0);
        assertThat(cells1.get(cell("visitors", "/p0", Granularity.DAY, minute))).isEqualTo(7.0); // i%7 over i≡0 (mod 5) takes all 7 values
        assertThat(cells1.get(cell("revenue", "DE", Granularity.MINUTE, minute))).isEqualTo(20.0);
        assertThat(cells1.get(cell("max_order", "DE", Granularity.DAY, minute))).isEqualTo(12.5);
        assertThat(BatchTestKit.cellsByBucket(session, KEYSPACE, v1)).isEqualTo(cells1.size());

        // Second wave: a repeat of an event absorbed by v1, a late event, and new ones.
        Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
        last = send(pageview("dup-1", minute, "/third", "u3")).timestamp();
        last = Math.max(last, send(pageview("late-1", twoDaysAgo.plusSeconds(90), "/late", "u9")).timestamp());
        long firstC0 = send(pageview("c-0", minute.plusSeconds(60), "/p0", "u0")).timestamp();
        for (int i = 1; i < 20; i++) {
            last = Math.max(last, send(pageview("c-" + i, minute.plusSeconds(60), "/p" + (i % 3), "u" + i)).timestamp());
        }
        // A repeat within the window, in a later ingest epoch (1 s here) than the first c-0.
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() >= (firstC0 / 1000 + 1) * 1000);
        last = Math.max(last, send(pageview("c-0", minute, "/again", "u1")).timestamp());

        JsonNode incremental = runUntilDone("incremental", last);
        assertThat(incremental.get("status").asString()).as(incremental.toString()).isEqualTo("PUBLISHED");
        assertThat(incremental.get("mode").asString()).isEqualTo("incremental");
        assertThat(incremental.get("baseVersion").asLong()).isEqualTo(v1);
        assertThat(incremental.get("eventsRead").asLong()).isEqualTo(21);
        assertThat(incremental.get("dedupHits").asLong()).isEqualTo(2);
        long v2 = incremental.get("version").asLong();
        Map<CellKey, Double> cells2 = BatchTestKit.cells(session, KEYSPACE, v2, aggregator);
        assertThat(cells2.get(cell("pageviews", "/late", Granularity.MINUTE, twoDaysAgo.plusSeconds(90)))).isEqualTo(1.0);
        assertThat(cells2.get(cell("pageviews", "/late", Granularity.DAY, twoDaysAgo))).isEqualTo(1.0);
        assertThat(cells2.get(cell("pageviews", "/first", Granularity.HOUR, minute))).isEqualTo(1.0);
        assertThat(cells2).doesNotContainKeys(cell("pageviews", "/third", Granularity.HOUR, minute),
                cell("pageviews", "/again", Granularity.HOUR, minute));

        JsonNode full = runUntilDone("full", last);
        long v3 = full.get("version").asLong();
        assertThat(full.get("eventsRead").asLong()).isEqualTo(63 + 21);
        Map<CellKey, Double> cells3 = BatchTestKit.cells(session, KEYSPACE, v3, aggregator);
        assertThat(cells3).isEqualTo(cells2);
        assertThat(store.catalog().current()).isEqualTo(new PublishedVersion(v3, Instant.parse(full.get("cut").asString())));
    }

    @Test
    void runIsRefusedWhileAnotherReplicaHoldsTheLease() throws Exception {
        assertThat(store.lease().acquire("other-replica", "v99", Duration.ofSeconds(30))).isTrue();
        try {
            HttpResponse<String> refused = BatchTestKit.post(url("/api/v1/batch/runs"), "{\"mode\":\"full\"}");
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(json(refused).get("type").asString()).isEqualTo("urn:lambda:problem:run-in-progress");
            assertThat(json(refused).get("detail").asString()).contains("other-replica");
        } finally {
            store.lease().release("other-replica");
        }
    }

    @Test
    void unknownModeIsABadRequest() throws Exception {
        HttpResponse<String> bad = BatchTestKit.post(url("/api/v1/batch/runs"), "{\"mode\":\"sometimes\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("type").asString()).isEqualTo("urn:lambda:problem:bad-run-mode");
    }

    /** Waits until the cut passes {@code lastIngest}, starts a run and waits for its end. */
    private JsonNode runUntilDone(String mode, long lastIngest) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> batchCut.next().toEpochMilli() > lastIngest);
        HttpResponse<String>[] started = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            started[0] = BatchTestKit.post(url("/api/v1/batch/runs"), "{\"mode\":\"" + mode + "\"}");
            return started[0].statusCode() != 409; // an earlier test's run may still hold the lease
        });
        assertThat(started[0].statusCode()).as(started[0].body()).isEqualTo(202);
        String runId = json(started[0]).get("runId").asString();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            run[0] = json(BatchTestKit.get(url("/api/v1/batch/runs/" + runId)));
            return !run[0].get("status").asString().equals("RUNNING");
        });
        return run[0];
    }

    private RecordMetadata send(Event event) throws Exception {
        return BatchTestKit.send(producer, TOPIC, event);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    static Event pageview(String id, Instant time, String url, String user) {
        return new Event(id, "pageview", time, Map.of("url", url, "userId", user));
    }

    static Event purchase(String id, Instant time, String country, double amount) {
        return new Event(id, "purchase", time, Map.of("country", country, "amount", amount));
    }

    static CellKey cell(String view, String key, Granularity granularity, Instant time) {
        return new CellKey(view, key, granularity, granularity.bucketStartMillis(time.toEpochMilli()));
    }
}
