package io.lambda.ingest;

import static io.lambda.ingest.IngestHttp.event;
import static io.lambda.ingest.IngestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.localservers.KafkaServer;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.StackLayout;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A broker outage, on a Kafka of this test's own (the shared one is never stopped): while it is
 * down every request gets 503 with Retry-After and none gets 202, readiness goes down and liveness
 * stays up; when it returns the same service (no restart) takes events again, and a client that
 * resends a refused request with the eventIds of the 503 gets them stored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.autoconfigure.exclude=org.springframework.boot.cassandra.autoconfigure.CassandraAutoConfiguration")
class KafkaOutageIntegrationTests {

    private static final StackLayout LAYOUT = new StackLayout("ingest-it",
            ProjectHome.locate().stateDir().resolve("ingest-it"), 29092, 29093, 0, 0, Map.of());
    private static final String TOPIC = "it.outage." + UUID.randomUUID();
    private static KafkaServer kafka;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", LAYOUT::kafkaBootstrapServers);
        registry.add("lambda.ingest.topic.name", () -> TOPIC);
        registry.add("lambda.ingest.topic.partitions", () -> 2);
        registry.add("lambda.ingest.ack-timeout", () -> "2s");
        registry.add("lambda.ingest.retry-after", () -> "3s");
    }

    @BeforeAll
    static void startOwnKafka() throws IOException {
        kafka = new KafkaServer(ProjectHome.locate(), LAYOUT);
        kafka.start(Duration.ofMinutes(2));
    }

    @AfterAll
    static void stopOwnKafka() throws IOException {
        if (kafka != null && kafka.stop() && !kafka.isRunning()) {
            try (Stream<Path> files = Files.walk(LAYOUT.stateDir().resolve("kafka"))) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @LocalServerPort
    int port;

    @Test
    void aStoppedBrokerGives503NeverA202AndIngestResumesWhenItReturns() throws Exception {
        IngestHttp http = new IngestHttp(port);
        long now = Instant.now().toEpochMilli();
        String before = batch("before", now);
        assertThat(http.postJson(before).statusCode()).isEqualTo(202);
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        kafka.stop();

        List<HttpResponse<String>> whileDown = new ArrayList<>();
        List<String> refusedBodies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String body = batch("down" + i, now);
            long start = System.nanoTime();
            whileDown.add(http.postJson(body));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            refusedBodies.add(body);
        }
        HttpResponse<String> withoutId = http.postJson("{\"type\":\"pageview\",\"timestamp\":" + now + "}");
        assertThat(whileDown).allSatisfy(response -> {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("3");
            assertThat(json(response).get("type").asString()).isEqualTo("urn:lambda:problem:not-durable");
        });
        assertThat(withoutId.statusCode()).isEqualTo(503);
        String assignedId = json(withoutId).get("eventIds").get(0).asString();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(503));
        assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);

        kafka.start(Duration.ofMinutes(2));

        // the client's retry loop: resend the refused requests, same eventIds, until stored
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(http.postJson(refusedBodies.get(0)).statusCode()).isEqualTo(202));
        for (String body : refusedBodies.subList(1, refusedBodies.size())) {
            assertThat(http.postJson(body).statusCode()).isEqualTo(202);
        }
        assertThat(http.postJson(event(assignedId, now)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200));

        try (EventsTopic topic = new EventsTopic(LAYOUT.kafkaBootstrapServers(), TOPIC)) {
            Set<String> keys = topic.readAll().stream().map(ConsumerRecord::key).collect(Collectors.toSet());
            assertThat(keys).containsAll(ids("before")).contains(assignedId);
            for (int i = 0; i < 3; i++) {
                assertThat(keys).containsAll(ids("down" + i));
            }
        }
    }

    private static String batch(String name, long now) {
        return ids(name).stream().map(id -> event(id, now)).collect(Collectors.joining(",", "[", "]"));
    }

    private static List<String> ids(String name) {
        return IntStream.range(0, 10).mapToObj(i -> "outage-" + name + "-" + i).toList();
    }
}
