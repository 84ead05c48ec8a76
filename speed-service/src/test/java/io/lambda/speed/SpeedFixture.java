package io.lambda.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.time.Granularity;
import io.lambda.localservers.RealServers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka and Cassandra at hand for the speed tests: topics, producing, reading cells back, lag. */
public final class SpeedFixture {

    private SpeedFixture() {
    }

    /** A session on the test Cassandra, with room for big batches on a busy machine (30 s per request). */
    public static CqlSession session() {
        RealServers servers = RealServers.get();
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(servers.cassandraHost(), servers.cassandraPort()))
                .withLocalDatacenter(servers.cassandraDatacenter())
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
    }

    /** A fresh name of a-z0-9_ for a keyspace, topic or group of one test class. */
    public static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Creates the events topic as ingest does: LogAppendTime, so the broker stamps the ingest time. */
    public static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
        }
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public static void produce(String bootstrap, String topic, List<SeededStream.Item> items) {
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (SeededStream.Item item : items) {
                producer.send(new ProducerRecord<>(topic, item.key(), item.value().length == 0 && item.poison()
                        && item.key().hashCode() % 2 == 0 ? null : item.value()));
            }
            producer.flush();
        }
    }

    /**
     * Produces {@code items} evenly over {@code duration} on a thread of its own (a steady stream, as
     * clients would send it); the future completes when all are acknowledged.
     */
    public static java.util.concurrent.CompletableFuture<Void> produceSteadily(String bootstrap, String topic,
                                                                              List<SeededStream.Item> items, Duration duration) {
        return java.util.concurrent.CompletableFuture.runAsync(() -> {
            long start = System.nanoTime();
            long perItem = duration.toNanos() / Math.max(1, items.size());
            try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                for (int i = 0; i < items.size(); i++) {
                    long due = start + i * perItem;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing the load, not waiting for a result
                    }
                    SeededStream.Item item = items.get(i);
                    producer.send(new ProducerRecord<>(topic, item.key(), item.value()));
                }
                producer.flush();
            }
        }, java.util.concurrent.Executors.newSingleThreadExecutor());
    }

    /** Every record of {@code topic}, read from the start to the end offsets seen now. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Records between the group's committed offsets and the log end, over all partitions of {@code topic}. */
    public static long groupLag(String bootstrap, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long lag = 0;
            for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                lag += end.getValue().offset() - (at == null ? 0 : at.offset());
            }
            return lag;
        }
    }

    /** Every speed cell of the keyspace as stored, decoded. */
    public static Map<SpeedCellKey, Object> storedCells(CqlSession session, String keyspace, Aggregator aggregator) {
        Map<SpeedCellKey, Object> cells = new HashMap<>();
        for (Row row : session.execute("SELECT view_name, granularity, view_key, bucket, ingest_epoch, kafka_partition, "
                + "value FROM " + keyspace + ".speed_cells")) {
            CellKey cell = new CellKey(row.getString("view_name"), row.getString("view_key"),
                    Granularity.valueOf(row.getString("granularity")), row.getInstant("bucket").toEpochMilli());
            SpeedCellKey key = new SpeedCellKey(cell, row.getLong("ingest_epoch"), row.getInt("kafka_partition"));
            cells.put(key, aggregator.measureOf(cell).decode(com.datastax.oss.driver.api.core.data.ByteUtils
                    .getArray(row.getByteBuffer("value"))));
        }
        return cells;
    }

    /** The answer of every cell the speed layer holds, every epoch and partition folded together. */
    public static Map<CellKey, Double> storedResults(CqlSession session, String keyspace, Aggregator aggregator) {
        return aggregator.results(aggregator.collapse(storedCells(session, keyspace, aggregator)));
    }

    public static long rowCount(CqlSession session, String keyspace, String table) {
        return session.execute("SELECT count(*) FROM " + keyspace + "." + table).one().getLong(0);
    }

    static int randomBetween(int from, int to) {
        return ThreadLocalRandom.current().nextInt(from, to);
    }
}
