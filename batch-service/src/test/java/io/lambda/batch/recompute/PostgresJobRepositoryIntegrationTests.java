package io.lambda.batch.recompute;

import static io.lambda.batch.BatchTestKit.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lambda.batch.BatchTestKit;
import io.lambda.batch.system.BatchStore;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.localservers.PostgresServer;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServersConnections;
import io.lambda.localservers.StackLayout;
import io.lambda.store.ArchivedEvent;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The production shape of the JobRepository: the 'postgres' profile on a real PostgreSQL 15 (the
 * machine's package, a cluster of our own under .lambda/test/postgres). A run completes and
 * publishes, and its executions are recorded in PostgreSQL's Spring Batch tables.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealServersConnections.class)
@ActiveProfiles("postgres")
class PostgresJobRepositoryIntegrationTests {

    private static final String TOPIC = "it.batch.pg." + UUID.randomUUID();
    private static final String KEYSPACE = BatchTestKit.keyspace();
    private static final int PORT = 25432;
    private static PostgresServer postgres;
    private static boolean startedHere;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Optional<String> missing = PostgresServer.unavailable();
        assumeTrue(missing.isEmpty(), () -> "PostgreSQL test skipped: " + missing.orElse(""));
        ProjectHome home = ProjectHome.locate();
        postgres = new PostgresServer(StackLayout.test(home), PORT);
        startedHere = postgres.running().isEmpty();
        postgres.start(Duration.ofSeconds(60));
        postgres.createDatabase(KEYSPACE);
        BatchTestKit.createTopic(TOPIC, 2);
        registry.add("spring.datasource.url", () -> postgres.jdbcUrl(KEYSPACE));
        registry.add("spring.datasource.username", () -> PostgresServer.USER);
        registry.add("spring.datasource.password", () -> "");
        registry.add("lambda.events.topic", () -> TOPIC);
        registry.add("lambda.events.epoch-length", () -> "1s");
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
        registry.add("spring.kafka.consumer.group-id", () -> "it-archiver-" + KEYSPACE);
        registry.add("lambda.batch.clock-skew-margin", () -> "200ms");
        registry.add("lambda.batch.instance-id", () -> "it-" + KEYSPACE);
        registry.add("lambda.batch.schedule.enabled", () -> "false");
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null && startedHere) {
            postgres.stop();
        }
        if (postgres != null) {
            try (var session = BatchTestKit.session()) {
                BatchTestKit.dropKeyspace(session, KEYSPACE);
            }
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    BatchStore store;

    @Autowired
    IngestEpoch epochs;

    @Autowired
    DataSource dataSource;

    @Test
    void aRunCompletesWithItsExecutionsInPostgres() throws Exception {
        assertThat(dataSource.getConnection().getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        EventCodec codec = new EventCodec();
        Instant ingest = Instant.now().minusSeconds(30);
        List<ArchivedEvent> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Event event = new Event("pg-" + i, "purchase", ingest.minusSeconds(i),
                    Map.of("country", "C" + (i % 5), "amount", 2.0));
            rows.add(new ArchivedEvent(event.eventId(), event.type(), event.timestamp(), ingest.plusMillis(i), 0, i,
                    codec.encode(event)));
        }
        store.master().archiveAll(rows, epochs).join();

        HttpResponse<String> started = BatchTestKit.post("http://127.0.0.1:" + port + "/api/v1/batch/runs",
                "{\"mode\":\"full\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String runId = json(started).get("runId").asString();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            run[0] = json(BatchTestKit.get("http://127.0.0.1:" + port + "/api/v1/batch/runs/" + runId));
            return !run[0].get("status").asString().equals("RUNNING");
        });
        assertThat(run[0].get("status").asString()).as(run[0].toString()).isEqualTo("PUBLISHED");
        assertThat(run[0].get("eventsRead").asLong()).isEqualTo(500);
        assertThat(store.catalog().current().version()).isEqualTo(run[0].get("version").asLong());

        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(KEYSPACE), PostgresServer.USER, "");
             ResultSet executions = connection.createStatement().executeQuery(
                     "SELECT status FROM batch_job_execution WHERE job_instance_id = " + Long.parseLong(runId))) {
            assertThat(executions.next()).isTrue();
            assertThat(executions.getString("status")).isEqualTo("COMPLETED");
        }
    }
}
