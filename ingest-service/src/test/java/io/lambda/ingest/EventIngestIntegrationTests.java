package io.lambda.ingest;

import static io.lambda.ingest.IngestHttp.event;
import static io.lambda.ingest.IngestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.RealServersConnections;
import io.lambda.localservers.TestApiKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The ingest service against the real (shared) Kafka: what a 202 promises is on the topic, keyed
 * by eventId and readable by lambda-core's codec; what a 4xx refuses never reaches it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.autoconfigure.exclude=org.springframework.boot.cassandra.autoconfigure.CassandraAutoConfiguration")
@Import(RealServersConnections.class)
class EventIngestIntegrationTests {

    private static final String TOPIC = "it.ingest." + UUID.randomUUID();
    private final EventCodec codec = new EventCodec();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("lambda.ingest.topic.name", () -> TOPIC);
        registry.add("lambda.ingest.topic.partitions", () -> 3);
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    private IngestHttp http;
    private EventsTopic topic;

    @BeforeEach
    void connect() {
        http = new IngestHttp(port);
        topic = new EventsTopic(RealServers.get().kafkaBootstrapServers(), TOPIC);
    }

    @AfterEach
    void close() {
        topic.close();
    }

    @Test
    void acceptedEventsAreOnTheTopicKeyedByIdWithTheBrokersIngestTime() throws Exception {
        long now = Instant.now().toEpochMilli();
        String prefix = "acc-" + UUID.randomUUID() + "-";
        List<String> ids = IntStream.range(0, 100).mapToObj(i -> prefix + i).toList();
        Instant before = Instant.now();

        HttpResponse<String> array = http.postJson(ids.stream().map(id -> event(id, now)).collect(Collectors.joining(",", "[", "]")));
        HttpResponse<String> single = http.postJson("{\"type\":\"purchase\",\"timestamp\":\"" + Instant.ofEpochMilli(now)
                + "\",\"attributes\":{\"country\":\"DE\",\"amount\":12.5}}");

        assertThat(array.statusCode()).as(array.body()).isEqualTo(202);
        assertThat(single.statusCode()).as(single.body()).isEqualTo(202);
        String assigned = json(single).get("eventIds").get(0).asString();
        Map<String, ConsumerRecord<String, byte[]>> onTopic = topic.readAll().stream()
                .collect(Collectors.toMap(ConsumerRecord::key, r -> r, (a, b) -> a));
        assertThat(onTopic).containsKeys(ids.toArray(String[]::new)).containsKey(assigned);
        for (String id : ids) {
            ConsumerRecord<String, byte[]> record = onTopic.get(id);
            Event event = codec.decode(record.value());
            assertThat(event.eventId()).isEqualTo(id);
            assertThat(event.timestampMillis()).isEqualTo(now);
            assertThat(event.attributes()).containsEntry("url", "/home");
            assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(record.timestamp()).isGreaterThanOrEqualTo(before.toEpochMilli() - 1000);
        }
        Event purchase = codec.decode(onTopic.get(assigned).value());
        assertThat(purchase.type()).isEqualTo("purchase");
        assertThat(purchase.attributes()).containsEntry("amount", 12.5).containsEntry("country", "DE");
    }

    @Test
    void everyRecordOfATracedRequestCarriesTheRequestsTrace() throws Exception {
        long now = Instant.now().toEpochMilli();
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String callerSpan = traceId.substring(0, 16);
        String prefix = "traced-" + UUID.randomUUID() + "-";
        List<String> ids = IntStream.range(0, 20).mapToObj(i -> prefix + i).toList();

        HttpResponse<String> response = http.post("application/json", HttpRequest.BodyPublishers.ofString(
                        ids.stream().map(id -> event(id, now)).collect(Collectors.joining(",", "[", "]"))),
                "traceparent", "00-" + traceId + "-" + callerSpan + "-01");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        List<ConsumerRecord<String, byte[]>> records = topic.readAll().stream()
                .filter(r -> r.key() != null && r.key().startsWith(prefix)).toList();
        assertThat(records).hasSize(ids.size());
        Set<String> traceparents = records.stream()
                .map(r -> r.headers().lastHeader("traceparent"))
                .map(h -> h == null ? "(none)" : new String(h.value(), StandardCharsets.US_ASCII))
                .collect(Collectors.toSet());
        // one request, one span of this service under the caller's: the same header on every record
        assertThat(traceparents).hasSize(1);
        String[] fields = traceparents.iterator().next().split("-");
        assertThat(fields).hasSize(4);
        assertThat(fields[1]).as("trace id").isEqualTo(traceId);
        assertThat(fields[2]).as("span id: this service's, not the caller's").hasSize(16).isNotEqualTo(callerSpan);
        assertThat(fields[3]).as("sampled, as the caller asked").isEqualTo("01");
    }

    @Test
    void theTopicIsCreatedWithLogAppendTimeAndTheConfiguredPartitions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealServers.get().kafkaBootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
        }
        assertThat(topic.partitions()).hasSize(3);
    }

    @Test
    void aLargeNdjsonLoadIsAllOnTheTopic() throws Exception {
        long now = Instant.now().toEpochMilli();
        String prefix = "nd-" + UUID.randomUUID() + "-";
        String body = IntStream.range(0, 20_000).mapToObj(i -> event(prefix + i, now)).collect(Collectors.joining("\n"));

        HttpResponse<String> response = http.post("application/x-ndjson",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json(response).get("accepted").asInt()).isEqualTo(20_000);
        assertThat(topic.readAll().stream().map(ConsumerRecord::key).filter(k -> k.startsWith(prefix)).distinct())
                .hasSize(20_000);
    }

    @Test
    void rejectedRequestsWriteNothing() throws Exception {
        long now = Instant.now().toEpochMilli();
        http.postJson(event("warm-up-" + UUID.randomUUID(), now)); // the topic exists and has metadata
        Map<TopicPartition, Long> before = topic.endOffsets();
        String valid = IntStream.range(0, 999).mapToObj(i -> event("rej-" + i, now)).collect(Collectors.joining(","));

        HttpResponse<String> lastInvalid = http.postJson("[" + valid + ",{\"type\":\"pageview\"}]");
        HttpResponse<String> ndjsonLastInvalid = http.post("application/x-ndjson", HttpRequest.BodyPublishers.ofString(
                IntStream.range(0, 5000).mapToObj(i -> event("rej-nd-" + i, now)).collect(Collectors.joining("\n"))
                        + "\n{\"type\":\"pageview\",\"timestamp\":\"later\"}\n"));
        HttpResponse<String> tooMany = http.postJson("[" + valid + "," + event("a", now) + "," + event("b", now) + "]");
        byte[] huge = ("[" + event("big", now).replace("/home", "x".repeat(1536 * 1024)) + "]").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunkedTooLarge = http.post("application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)));

        assertThat(lastInvalid.statusCode()).isEqualTo(400);
        assertThat(json(lastInvalid).get("errors").get(0).get("index").asInt()).isEqualTo(999);
        assertThat(ndjsonLastInvalid.statusCode()).isEqualTo(400);
        assertThat(json(ndjsonLastInvalid).get("errors").get(0).get("index").asInt()).isEqualTo(5000);
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(chunkedTooLarge.statusCode()).isEqualTo(413);
        assertThat(topic.endOffsets()).isEqualTo(before);
    }

    @Test
    void sendLatencyAndInFlightAreMeasured() throws Exception {
        long sentBefore = meters.get("lambda.ingest.kafka.send").tag("outcome", "acknowledged").timer().count();

        assertThat(http.postJson("[" + event("m-" + UUID.randomUUID(), Instant.now().toEpochMilli()) + "]").statusCode())
                .isEqualTo(202);

        assertThat(meters.get("lambda.ingest.kafka.send").tag("outcome", "acknowledged").timer().count())
                .isEqualTo(sentBefore + 1);
        assertThat(meters.get("lambda.ingest.inflight.events").gauge().value()).isZero();
        assertThat(meters.get("lambda.ingest.inflight.requests").gauge().value()).isZero();
    }

    @Test
    void readinessIncludesKafkaAndIsUpWhileKafkaIs() throws Exception {
        HttpResponse<String> readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(json(readiness).get("status").asString()).isEqualTo("UP");
        assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void theOpenApiDocumentDescribesTheIngestRouteAndNeedsTheKey() throws Exception {
        assertThat(http.get("/v3/api-docs").statusCode()).isEqualTo(401);

        HttpResponse<String> docs = http.get("/v3/api-docs", TestApiKeys.HEADER, TestApiKeys.INGEST);

        assertThat(docs.statusCode()).as(docs.body()).isEqualTo(200);
        JsonNode post = json(docs).get("paths").get("/api/v1/events").get("post");
        assertThat(post.get("requestBody").get("content").propertyNames())
                .contains("application/json", "application/x-ndjson");
        assertThat(post.get("responses").propertyNames()).contains("202", "400", "401", "413", "415", "429", "503");
        JsonNode event = json(docs).get("components").get("schemas").get("Event");
        assertThat(event.get("required").valueStream().map(JsonNode::asString)).contains("type", "timestamp");
        assertThat(http.get("/swagger-ui/index.html", TestApiKeys.HEADER, TestApiKeys.INGEST).statusCode()).isEqualTo(200);
    }
}
