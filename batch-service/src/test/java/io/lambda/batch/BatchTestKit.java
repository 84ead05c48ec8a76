package io.lambda.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.Granularity;
import io.lambda.localservers.CassandraServer;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.TestApiKeys;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** What the batch integration tests share: names of their own, the topic, HTTP, and reading a version's cells. */
public final class BatchTestKit {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventCodec CODEC = new EventCodec();

    private BatchTestKit() {
    }

    public static String keyspace() {
        return "it_batch_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    /** The events topic as ingest creates it: the broker stamps the ingest time. */
    public static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealServers.get().kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get(30, TimeUnit.SECONDS);
        }
    }

    public static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, RealServers.get().kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends and waits for the broker; returns the record's coordinates (its timestamp is the ingest time). */
    public static RecordMetadata send(KafkaProducer<String, byte[]> producer, String topic, Event event)
            throws Exception {
        return producer.send(new ProducerRecord<>(topic, event.eventId(), CODEC.encode(event))).get(30, TimeUnit.SECONDS);
    }

    public static CqlSession session() {
        RealServers servers = RealServers.get();
        return session(new InetSocketAddress(servers.cassandraHost(), servers.cassandraPort()));
    }

    /** A session on a node of the local servers' kind (one datacenter, named as theirs) at {@code contactPoint}. */
    public static CqlSession session(InetSocketAddress contactPoint) {
        return CqlSession.builder()
                .addContactPoint(contactPoint)
                .withLocalDatacenter(CassandraServer.DATACENTER)
                // Seeding fires thousands of writes at once: queue them in the driver, as the services do.
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withString(DefaultDriverOption.REQUEST_THROTTLER_CLASS, "ConcurrencyLimitingRequestThrottler")
                        .withInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_CONCURRENT_REQUESTS, 256)
                        .withInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_QUEUE_SIZE, 1_000_000)
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
    }

    /** Drops a test keyspace: the shared test Cassandra has a small heap, and every table costs some. */
    public static void dropKeyspace(CqlSession session, String keyspace) {
        session.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance(
                "DROP KEYSPACE IF EXISTS " + keyspace).setTimeout(Duration.ofSeconds(60)));
    }

    /** Every cell of {@code version} as stored in batch_cells, with its answer. */
    public static Map<CellKey, Double> cells(CqlSession session, String keyspace, long version, Aggregator aggregator) {
        Map<CellKey, Double> cells = new HashMap<>();
        for (Row row : session.execute("SELECT view_name, version, granularity, view_key, bucket, value FROM "
                + keyspace + ".batch_cells")) {
            if (row.getLong("version") != version) {
                continue;
            }
            CellKey key = new CellKey(row.getString("view_name"), row.getString("view_key"),
                    Granularity.valueOf(row.getString("granularity")), row.getInstant("bucket").toEpochMilli());
            java.nio.ByteBuffer buffer = row.getByteBuffer("value");
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            cells.put(key, aggregator.measureOf(key).result(aggregator.measureOf(key).decode(bytes)));
        }
        return cells;
    }

    /** Rows of one version in batch_cells_by_bucket (the top-N layout), to check both layouts agree. */
    public static long cellsByBucket(CqlSession session, String keyspace, long version) {
        long count = 0;
        for (Row row : session.execute("SELECT version FROM " + keyspace + ".batch_cells_by_bucket")) {
            if (row.getLong("version") == version) {
                count++;
            }
        }
        return count;
    }

    /** POST to a service of this JVM, with the admin test key. */
    public static HttpResponse<String> post(String url, String body) throws Exception {
        return post(url, body, TestApiKeys.ADMIN);
    }

    public static HttpResponse<String> post(String url, String body, String apiKey) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header(TestApiKeys.HEADER, apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET from a service of this JVM, with the admin test key. */
    public static HttpResponse<String> get(String url) throws Exception {
        return get(url, TestApiKeys.ADMIN);
    }

    public static HttpResponse<String> get(String url, String apiKey) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header(TestApiKeys.HEADER, apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }
}
