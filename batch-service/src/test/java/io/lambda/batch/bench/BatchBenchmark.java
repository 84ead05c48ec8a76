package io.lambda.batch.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambda.batch.BatchServiceApplication;
import io.lambda.batch.BatchTestKit;
import io.lambda.batch.recompute.BatchRuns;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.localservers.CassandraServer;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.StackLayout;
import io.lambda.store.MasterDataset;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The batch layer's throughput against baselines measured in the same run, on the real (test)
 * Kafka and Cassandra: raw single-row Cassandra writes of master-dataset rows vs the archiver, and
 * a raw scan of the master dataset vs a full recompute. Prints the figures and the ratios.
 *
 * <p>Kafka is the shared test broker (19092); Cassandra is one of its own (127.0.0.1:29142, layout
 * {@code batch-bench}, started and stopped here): millions of master rows would crowd the shared
 * test node's heap, and its other keyspaces would not load this one's measurements.
 *
 * <p>Run with {@code batch-service/bench/batch-benchmark.sh [events]} (default 500,000).
 */
public final class BatchBenchmark {

    private BatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int threads = 2;
        String keyspace = "bench_batch_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String topic = "bench.batch." + UUID.randomUUID();
        EventCodec codec = new EventCodec();
        List<byte[]> payloads = new ArrayList<>(events);
        Instant base = Instant.now().minus(Duration.ofHours(2));
        for (int i = 0; i < events; i++) {
            Event event = i % 4 == 3
                    ? new Event("ev-" + i, "purchase", base.plusMillis(i * 13L % 3_600_000),
                            Map.of("country", "C" + (i % 20), "amount", (double) (i % 50)))
                    : new Event("ev-" + i, "pageview", base.plusMillis(i * 13L % 3_600_000),
                            Map.of("url", "/page/" + (i % 200), "userId", "u" + (i % 5000)));
            payloads.add(codec.encode(event));
        }
        System.out.printf("batch benchmark: %,d events (~%d bytes each), %d threads, keyspace %s%n", events,
                payloads.get(0).length, threads, keyspace);

        ProjectHome home = ProjectHome.locate();
        StackLayout layout = new StackLayout("batch-bench", home.stateDir().resolve("batch-bench"), 19092, 19093,
                29142, 27100, Map.of());
        CassandraServer cassandra = new CassandraServer(home, layout);
        cassandra.start(Duration.ofSeconds(180));
        try {
            run(layout, events, threads, keyspace, topic, payloads, base);
        } finally {
            cassandra.stop();
        }
        System.exit(0);
    }

    private static void run(StackLayout layout, int events, int threads, String keyspace, String topic,
                            List<byte[]> payloads, Instant base) throws Exception {
        String cassandraContactPoint = "127.0.0.1:" + layout.cassandraPort();
        try (CqlSession session = BatchTestKit.session(new InetSocketAddress("127.0.0.1", layout.cassandraPort()))) {
            session.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE " + keyspace + ".raw_events (shard int, event_id text, type text, "
                    + "event_time timestamp, ingest_time timestamp, kafka_partition int, kafka_offset bigint, "
                    + "payload blob, PRIMARY KEY ((shard), event_id))");

            // 1. Baseline: single-row async INSERTs of master-dataset rows (256 in flight).
            PreparedStatement insert = session.prepare("INSERT INTO " + keyspace + ".raw_events (shard, event_id, "
                    + "type, event_time, ingest_time, kafka_partition, kafka_offset, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            long t0 = System.nanoTime();
            List<CompletableFuture<?>> writes = new ArrayList<>(10_000);
            Instant now = Instant.now();
            for (int i = 0; i < events; i++) {
                String id = "ev-" + i;
                writes.add(session.executeAsync(insert.bind(MasterDataset.shardOf(id), id, "pageview", base, now,
                        i % 6, (long) i, ByteBuffer.wrap(payloads.get(i)))).toCompletableFuture());
                if (writes.size() == 10_000) {
                    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
                    writes.clear();
                }
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            double rawWrites = events / seconds(t0);
            System.out.printf("raw single-row writes: %,.0f rows/s%n", rawWrites);

            // 2. The events on a topic, as ingest would have written them.
            BatchTestKit.createTopic(topic, 6);
            t0 = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = BatchTestKit.producer()) {
                for (int i = 0; i < events; i++) {
                    producer.send(new ProducerRecord<>(topic, "ev-" + i, payloads.get(i)));
                }
                producer.flush();
            }
            System.out.printf("produced to %s: %,.0f records/s (not a batch figure)%n", topic, events / seconds(t0));

            // 3. The archiver: the batch service, counting archived events as it goes.
            ConfigurableApplicationContext context = SpringApplication.run(BatchServiceApplication.class,
                    "--spring.kafka.bootstrap-servers=" + RealServers.get().kafkaBootstrapServers(),
                    "--spring.cassandra.contact-points=" + cassandraContactPoint,
                    "--server.port=0", "--lambda.store.keyspace=" + keyspace, "--lambda.events.topic=" + topic,
                    "--spring.kafka.consumer.group-id=bench-" + keyspace,
                    "--spring.datasource.url=jdbc:h2:mem:" + keyspace, "--lambda.batch.schedule.enabled=false",
                    "--lambda.batch.clock-skew-margin=200ms", "--lambda.events.epoch-length=1s",
                    "--lambda.batch.recompute.threads=" + threads, "--logging.level.root=WARN");
            try {
                MeterRegistry meters = context.getBean(MeterRegistry.class);
                double firstCount = 0;
                long first = 0;
                double count;
                while ((count = archived(meters)) < events) {
                    if (first == 0 && count > 0) {
                        first = System.nanoTime();
                        firstCount = count;
                    }
                    Thread.sleep(50);
                }
                double archiver = (events - firstCount) / seconds(first);
                System.out.printf("archiver: %,.0f events/s  → %.2f × raw writes (goal ≥ 0.7)%n", archiver,
                        archiver / rawWrites);

                // 4. Baseline: a raw scan of the master dataset, shard by shard on the same threads.
                PreparedStatement scan = session.prepare("SELECT event_id, type, event_time, ingest_time, "
                        + "kafka_partition, kafka_offset, payload FROM " + keyspace + ".master_events WHERE shard = ?");
                AtomicLong rows = new AtomicLong();
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                t0 = System.nanoTime();
                List<Future<?>> scans = new ArrayList<>();
                for (int shard = 0; shard < MasterDataset.SHARDS; shard++) {
                    int s = shard;
                    scans.add(pool.submit(() -> {
                        long bytes = 0;
                        for (Row row : session.execute(scan.bind(s).setPageSize(5000))) {
                            bytes += row.getByteBuffer("payload").remaining();
                            rows.incrementAndGet();
                        }
                        return bytes;
                    }));
                }
                for (Future<?> f : scans) {
                    f.get();
                }
                pool.shutdown();
                double rawScan = rows.get() / seconds(t0);
                System.out.printf("raw scan: %,.0f rows/s (%,d rows)%n", rawScan, rows.get());

                // 5. A full recompute through the Spring Batch job.
                BatchRuns runs = context.getBean(BatchRuns.class);
                while (!runs.start("full").status().equals("RUNNING")) {
                    Thread.sleep(200); // the cut has not passed the last ingest yet
                }
                t0 = System.nanoTime();
                BatchRuns.RunView run;
                String runId = null;
                do {
                    Thread.sleep(200);
                    if (runId == null) {
                        runId = Long.toString(context.getBean(org.springframework.batch.core.repository.JobRepository.class)
                                .getLastJobInstance("recompute").getInstanceId());
                    }
                    run = runs.find(runId).orElseThrow();
                } while (run.status().equals("RUNNING"));
                double elapsed = seconds(t0);
                System.out.printf("full recompute: %s, %,d events, %,d cells in %.1f s → %,.0f events/s  → %.2f × raw scan "
                        + "(goal ≥ 0.5); steps %s%n", run.status(), run.eventsRead(), run.cellsWritten(), elapsed,
                        run.eventsRead() / elapsed, run.eventsRead() / elapsed / rawScan, run.stepSeconds());
            } finally {
                context.close();
                session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
            }
        }
    }

    private static double archived(MeterRegistry meters) {
        var counter = meters.find("lambda.batch.archiver.events").tag("outcome", "archived").counter();
        return counter == null ? 0 : counter.count();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
