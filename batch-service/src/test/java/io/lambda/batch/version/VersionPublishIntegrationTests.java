package io.lambda.batch.version;

import static io.lambda.batch.BatchTestKit.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.batch.BatchTestKit;
import io.lambda.batch.system.BatchStore;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.localservers.RealServersConnections;
import io.lambda.store.ArchivedEvent;
import io.lambda.store.BatchVersions;
import io.lambda.store.PublishedVersion;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * Versions, publish and rollback on real Cassandra: a rollback within the window works and is
 * refused once the window has passed (docs/architecture.md, invariant 7), a stale compare-and-set changes
 * nothing, and versions beyond the ones kept lose their cells. The master dataset is written
 * directly (the topic stays empty, so the archiver counts as caught up).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealServersConnections.class)
class VersionPublishIntegrationTests {

    private static final String TOPIC = "it.batch.versions." + UUID.randomUUID();
    private static final String KEYSPACE = BatchTestKit.keyspace();
    private static final Duration WINDOW = Duration.ofSeconds(4);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        BatchTestKit.createTopic(TOPIC, 2);
        registry.add("lambda.events.topic", () -> TOPIC);
        registry.add("lambda.events.epoch-length", () -> "1s");
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
        registry.add("spring.kafka.consumer.group-id", () -> "it-archiver-" + KEYSPACE);
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:" + KEYSPACE + ";DB_CLOSE_DELAY=-1");
        registry.add("lambda.batch.clock-skew-margin", () -> "200ms");
        registry.add("lambda.batch.instance-id", () -> "it-" + KEYSPACE);
        registry.add("lambda.batch.schedule.enabled", () -> "false");
        registry.add("lambda.batch.versions.keep", () -> "1");
        registry.add("lambda.batch.versions.rollback-window", () -> WINDOW.toMillis() + "ms");
    }

    private static CqlSession session;
    private final EventCodec codec = new EventCodec();

    @LocalServerPort
    int port;

    @Autowired
    BatchStore store;

    @Autowired
    Aggregator aggregator;

    @Autowired
    IngestEpoch epochs;

    @BeforeAll
    static void connect() {
        session = BatchTestKit.session();
    }

    @AfterAll
    static void close() {
        BatchTestKit.dropKeyspace(session, KEYSPACE);
        session.close();
    }

    @Test
    void rollbackWithinTheWindowThenRefusedAfterItAndOldVersionsAreDeleted() throws Exception {
        archive("a", 30);
        JsonNode run1 = run();
        long v1 = run1.get("version").asLong();
        Instant cut1 = Instant.parse(run1.get("cut").asString());
        archive("b", 20);
        JsonNode run2 = run();
        long v2 = run2.get("version").asLong();
        Instant published2 = Instant.now();
        assertThat(BatchTestKit.cells(session, KEYSPACE, v2, aggregator))
                .isNotEqualTo(BatchTestKit.cells(session, KEYSPACE, v1, aggregator));

        HttpResponse<String> rollback = publish(v1);
        assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
        assertThat(store.catalog().current()).isEqualTo(new PublishedVersion(v1, cut1));
        JsonNode listed = json(BatchTestKit.get(url("/api/v1/batch/versions")));
        assertThat(listed.get("published").get("version").asLong()).isEqualTo(v1);
        assertThat(listed.get("versions")).hasSize(2);

        HttpResponse<String> forward = publish(v2);
        assertThat(forward.statusCode()).as(forward.body()).isEqualTo(200);
        assertThat(store.catalog().current().version()).isEqualTo(v2);

        // A stale compare-and-set (it expects v1, the catalog shows v2) changes nothing.
        assertThat(store.catalog().compareAndSet(new PublishedVersion(v1, cut1),
                new PublishedVersion(99, cut1.plusSeconds(60)))).isFalse();
        assertThat(store.catalog().current().version()).isEqualTo(v2);

        // Once the publish that passed v1's cut is older than the window, the speed cells from
        // v1's cut onward may be gone: the rollback is refused, and nothing changes.
        await().atMost(WINDOW.multipliedBy(3)).until(() -> Instant.now().isAfter(published2.plus(WINDOW)));
        HttpResponse<String> refused = publish(v1);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(json(refused).get("type").asString()).isEqualTo("urn:lambda:problem:rollback-window-passed");
        assertThat(json(refused).get("detail").asString()).contains("rollback window");
        assertThat(store.catalog().current().version()).isEqualTo(v2);

        assertThat(publish(404_404).statusCode()).isEqualTo(404);

        // keep = 1: publishing v3 deletes v1 (v2 is kept for rollback).
        archive("c", 10);
        long v3 = run().get("version").asLong();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                store.versions().get(v1).map(BatchVersions.Version::status).orElse("").equals(BatchVersions.DELETED));
        assertThat(BatchTestKit.cells(session, KEYSPACE, v1, aggregator)).isEmpty();
        assertThat(BatchTestKit.cellsByBucket(session, KEYSPACE, v1)).isZero();
        assertThat(BatchTestKit.cells(session, KEYSPACE, v2, aggregator)).isNotEmpty();
        assertThat(store.versions().get(v3).orElseThrow().status()).isEqualTo(BatchVersions.PUBLISHED);
        HttpResponse<String> deleted = publish(v1);
        assertThat(deleted.statusCode()).isEqualTo(422);
        assertThat(json(deleted).get("type").asString()).isEqualTo("urn:lambda:problem:version-not-publishable");
    }

    /** Writes {@code count} pageviews straight into the master dataset, ingested a minute ago. */
    private void archive(String prefix, int count) {
        Instant ingest = Instant.now().minusSeconds(60);
        List<ArchivedEvent> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Event event = new Event(prefix + "-" + i, "pageview", ingest.minusSeconds(i),
                    Map.of("url", "/" + prefix + (i % 4), "userId", "u" + i));
            rows.add(new ArchivedEvent(event.eventId(), event.type(), event.timestamp(), ingest.plusMillis(i), 0, i,
                    codec.encode(event)));
        }
        store.master().archiveAll(rows, epochs).join();
    }

    private JsonNode run() throws Exception {
        HttpResponse<String> started = BatchTestKit.post(url("/api/v1/batch/runs"), "{\"mode\":\"full\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String runId = json(started).get("runId").asString();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            run[0] = json(BatchTestKit.get(url("/api/v1/batch/runs/" + runId)));
            return !run[0].get("status").asString().equals("RUNNING");
        });
        assertThat(run[0].get("status").asString()).as(run[0].toString()).isEqualTo("PUBLISHED");
        return run[0];
    }

    private HttpResponse<String> publish(long version) throws Exception {
        return BatchTestKit.post(url("/api/v1/batch/versions/" + version + "/publish"), "");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
