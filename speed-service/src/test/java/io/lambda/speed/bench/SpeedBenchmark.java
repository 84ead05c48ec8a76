package io.lambda.speed.bench;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.localservers.CassandraServer;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.ServiceProcess;
import io.lambda.localservers.StackLayout;
import io.lambda.speed.SpeedFixture;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Speed-service benchmark, beside a raw Kafka consumer in the same run, on the shared test Kafka
 * (19092) and a Cassandra of its own (29042, started and stopped here, so the load never reaches the
 * shared one):
 * <ol>
 * <li>throughput: N events to warm up, then N more measured; the speed-service (its jar, as a process)
 * folds and writes them all; events per CPU-second of its process (utime+stime from /proc) against a raw KafkaConsumer
 * reading the same records in this JVM (events per CPU-second of this process);</li>
 * <li>freshness at a steady rate (default 10k events/s): ingest time to the cell acknowledged, from
 * the service's {@code lambda.speed.freshness} histogram, beside the raw consumer's ingest-to-receive
 * latency on the same topic.</li>
 * </ol>
 * Arguments: events (default 600000), rate (10000), seconds at that rate (30), workload
 * ({@code uniform}, the default, or {@code live}; see {@link Workload}).
 */
public final class SpeedBenchmark {

    private static final String KAFKA = "127.0.0.1:19092";
    private static final long TICKS = 100; // USER_HZ

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 600_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Workload workload = args.length > 3 ? Workload.valueOf(args[3].toUpperCase(java.util.Locale.ROOT)) : Workload.UNIFORM;
        ProjectHome home = ProjectHome.locate();
        String id = SpeedFixture.unique("");
        String topic = "bench.speed." + id;
        String keyspace = "bench_speed_" + id;
        SpeedFixture.createTopic(KAFKA, topic, 6);
        StackLayout layout = new StackLayout("speed-bench", home.stateDir().resolve("speed-bench"), 19092, 19093, 29042, 27000,
                Map.of("speed-service", 28093));
        // A node's heap as Cassandra's own start script sizes it on a production machine (a quarter
        // of the memory, up to 8 GB), not the launcher's 1 GB for tests: with 1 GB, G1 took about a
        // third of Cassandra's CPU at 10k events/s (docs/performance.md)
        CassandraServer cassandra = new CassandraServer(home, layout, "4g");
        cassandra.start(Duration.ofSeconds(180));
        try {
            System.out.println("workload: " + workload.name().toLowerCase(java.util.Locale.ROOT));
            run(home, layout, topic, keyspace, events, rate, seconds, workload);
        } finally {
            cassandra.stop();
        }
    }

    private static void run(ProjectHome home, StackLayout layout, String topic, String keyspace, int events, int rate,
                            int seconds, Workload workload) throws Exception {

        // 1. throughput
        EventCodec codec = new EventCodec();
        Random first = new Random(1);
        long generated = System.currentTimeMillis();
        // twice the events: the first half warms the service (JIT, caches, connections) and is not
        // measured, so the figure is the steady state the issue asks for, not the start-up
        List<byte[]> payloads = new ArrayList<>(2 * events);
        for (int i = 0; i < 2 * events; i++) {
            payloads.add(codec.encode(workload.next(first, generated)));
        }
        ServiceProcess service = new ServiceProcess(home, layout, "speed-service");
        service.start(Map.of("spring.cassandra.request.timeout", "10s", "lambda.store.keyspace", keyspace, "lambda.events.topic", topic, "lambda.events.partitions", "6",
                "spring.kafka.consumer.group-id", topic + ".speed", "lambda.speed.expiry.enabled", "false"));
        try {
            long pid = pidOf(home.stateDir().resolve("speed-bench/pids/speed-service.pid"));
            service.awaitReady(Duration.ofSeconds(120));
            double cpuAtReady = cpuSeconds(pid);
            long warmStart = System.nanoTime();
            produce(topic, events, payloads::get, 0); // as fast as possible; the service folds and writes meanwhile
            awaitNoLag(topic);
            double warmCpu = cpuSeconds(pid) - cpuAtReady;
            double warmWall = (System.nanoTime() - warmStart) / 1e9;
            double cpuAtStart = cpuSeconds(pid);
            long produceStart = System.nanoTime();
            produce(topic, events, i -> payloads.get(events + i), 0);
            awaitNoLag(topic);
            double wall = (System.nanoTime() - produceStart) / 1e9;
            double cpu = cpuSeconds(pid) - cpuAtStart;
            double speedPerCpuSecond = events / cpu;
            double rawPerCpuSecond = rawConsumerThroughput(topic, events);
            System.out.printf("warm-up: %d events, %.1f CPU-s, %.1f s wall (%.0f events per CPU-second, not counted)%n",
                    events, warmCpu, warmWall, events / warmCpu);
            System.out.printf("throughput: %d events; speed-service %.0f events per CPU-second (%.1f CPU-s, %.1f s wall from the first send to lag 0); "
                    + "raw consumer %.0f events per CPU-second; ratio %.3f%n", events, speedPerCpuSecond, cpu, wall,
                    rawPerCpuSecond, speedPerCpuSecond / rawPerCpuSecond);

            // 2. freshness at a steady rate, after as long again at that rate unmeasured: the bench's
            // Cassandra was started minutes ago and still compiles its write path (its JIT took a tenth
            // of its CPU in the phase), which a node serving a running speed layer has long done
            produceLive(topic, codec, workload, new Random(3), rate, seconds);
            awaitNoLag(topic);
            Map<Double, Double> before = freshnessBuckets(service);
            Map<String, Double> flushesBefore = flushFigures(service);
            double cpuBefore = cpuSeconds(pid);
            long cassandraPid = pidOf(home.stateDir().resolve("speed-bench/pids/cassandra.pid"));
            double cassandraBefore = cpuSeconds(cassandraPid);
            long phaseStart = System.nanoTime();
            AtomicBoolean stop = new AtomicBoolean();
            List<Long> rawLatencies = new ArrayList<>();
            Thread raw = new Thread(() -> rawLatency(topic, stop, rawLatencies));
            raw.start();
            Thread.sleep(2000);
            produceLive(topic, codec, workload, new Random(2), rate, seconds);
            Thread.sleep(1000);
            stop.set(true);
            raw.join();
            Map<Double, Double> after = freshnessBuckets(service);
            Map<String, Double> flushesAfter = flushFigures(service);
            double flushes = flushesAfter.get("count") - flushesBefore.get("count");
            System.out.printf("during it (%.1f s): Cassandra %.1f CPU-s, speed-service %.1f CPU-s; %.0f flushes, %.0f cells per flush, %.1f ms per flush "
                            + "(mean), %.2f cells per event; %.0f cells read%n", (System.nanoTime() - phaseStart) / 1e9,
                    cpuSeconds(cassandraPid) - cassandraBefore, cpuSeconds(pid) - cpuBefore, flushes,
                    (flushesAfter.get("cells") - flushesBefore.get("cells")) / flushes,
                    1000 * (flushesAfter.get("seconds") - flushesBefore.get("seconds")) / flushes,
                    (flushesAfter.get("cells") - flushesBefore.get("cells")) / ((double) rate * seconds),
                    flushesAfter.get("read") - flushesBefore.get("read"));
            long[] sorted = rawLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("freshness at %d events/s for %d s: speed-service (ingest -> cell written) p50 %s ms, p99 %s ms; "
                            + "raw consumer (ingest -> received) p50 %d ms, p99 %d ms%n", rate, seconds,
                    quantile(before, after, 0.5), quantile(before, after, 0.99),
                    sorted[(int) (sorted.length * 0.5)], sorted[(int) (sorted.length * 0.99)]);
        } finally {
            service.stop();
        }
    }

    /**
     * What the events look like. Both: 4 in 5 are pageviews (100k users), 1 in 5 purchases; the
     * topic is keyed by a random id, as ingest keys it by event id, so every key reaches every partition.
     * <ul>
     * <li>{@code uniform}: 1,000 urls and 50 countries all alike, event times anywhere in the last 10
     * minutes: the worst case, where almost no cell repeats within a poll.</li>
     * <li>{@code live}: urls and countries by popularity (Zipf, exponent 1, as page popularity tends to
     * be), 95 % of events at most 5 s old when sent, the rest up to 10 minutes late.</li>
     * </ul>
     */
    enum Workload {
        UNIFORM, LIVE;

        private static final double[] URLS = zipf(1000);
        private static final double[] COUNTRIES = zipf(50);

        Event next(Random random, long now) {
            boolean live = this == LIVE;
            long age = !live || random.nextInt(20) == 0 ? random.nextInt(600_000) : random.nextInt(5_000);
            Instant time = Instant.ofEpochMilli(now - age);
            if (random.nextInt(5) == 0) {
                int country = live ? pick(COUNTRIES, random) : random.nextInt(50);
                return new Event(UUID.randomUUID().toString(), "purchase", time,
                        Map.of("country", "C" + country, "amount", random.nextInt(10_000) / 100.0));
            }
            int url = live ? pick(URLS, random) : random.nextInt(1000);
            return new Event(UUID.randomUUID().toString(), "pageview", time,
                    Map.of("url", "/page/" + url, "userId", "u" + random.nextInt(100_000)));
        }

        /** Cumulative Zipf weights of ranks 1..n, normalised to end at 1. */
        private static double[] zipf(int n) {
            double[] cumulative = new double[n];
            double sum = 0;
            for (int rank = 1; rank <= n; rank++) {
                sum += 1.0 / rank;
                cumulative[rank - 1] = sum;
            }
            for (int i = 0; i < n; i++) {
                cumulative[i] /= sum;
            }
            return cumulative;
        }

        private static int pick(double[] cumulative, Random random) {
            int i = java.util.Arrays.binarySearch(cumulative, random.nextDouble());
            return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
        }
    }

    /** Sends {@code n} payloads, paced at {@code rate} per second (0: as fast as possible). */
    /** {@code seconds} of events at {@code rate}, their event times relative to the moment of sending: a live stream. */
    private static void produceLive(String topic, EventCodec codec, Workload workload, Random random, int rate, int seconds) {
        produce(topic, rate * seconds, i -> codec.encode(workload.next(random, System.currentTimeMillis())), rate);
    }

    private static void produce(String topic, int n, java.util.function.IntFunction<byte[]> payloads, int rate) {
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = SpeedFixture.producer(KAFKA)) {
            for (int i = 0; i < n; i++) {
                if (rate > 0) {
                    long due = start + (long) i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
                producer.send(new ProducerRecord<>(topic, UUID.randomUUID().toString(), payloads.apply(i)));
            }
            producer.flush();
        }
    }

    private static void awaitNoLag(String topic) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (SpeedFixture.groupLag(KAFKA, topic + ".speed", topic) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the speed-service did not catch up within 5 minutes");
            }
            Thread.sleep(200);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static double rawConsumerThroughput(String topic, int events) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (KafkaConsumer<String, byte[]> consumer = consumer("raw-" + UUID.randomUUID())) {
            consumer.subscribe(List.of(topic));
            // the topic holds the warm-up events and then the measured ones: read both, time the second
            long cpuStart = 0;
            long seen = 0;
            while (seen < 2L * events) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    seen += record.value().length > 0 ? 1 : 0;
                }
                if (cpuStart == 0 && seen >= events) {
                    cpuStart = os.getProcessCpuTime();
                }
            }
            return (seen - events) / ((os.getProcessCpuTime() - cpuStart) / 1e9);
        }
    }

    private static void rawLatency(String topic, AtomicBoolean stop, List<Long> latencies) {
        try (KafkaConsumer<String, byte[]> consumer = consumer("raw-latency-" + UUID.randomUUID())) {
            // assigned, not subscribed: the end offsets are known at once, so no old record is timed
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    latencies.add(System.currentTimeMillis() - record.timestamp());
                }
            }
        }
    }

    private static long pidOf(Path pidFile) throws Exception {
        return Long.parseLong(Files.readString(pidFile).trim());
    }

    /** utime + stime of a process, in seconds, from /proc/<pid>/stat. */
    private static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) TICKS;
    }

    private static final Map<String, Pattern> FLUSH_FIGURES = Map.of(
            "count", Pattern.compile("(?m)^lambda_speed_flush_cells_count(?:\\{[^}]*})? ([0-9.eE+-]+)"),
            "cells", Pattern.compile("(?m)^lambda_speed_flush_cells_sum(?:\\{[^}]*})? ([0-9.eE+-]+)"),
            "seconds", Pattern.compile("(?m)^lambda_speed_flush_seconds_sum(?:\\{[^}]*})? ([0-9.eE+-]+)"),
            "read", Pattern.compile("(?m)^lambda_speed_cells_read_total(?:\\{[^}]*})? ([0-9.eE+-]+)"));

    /** Flushes, cells written, seconds spent writing and cells read so far, from the service's Prometheus scrape. */
    private static Map<String, Double> flushFigures(ServiceProcess service) throws Exception {
        String body = scrape(service);
        Map<String, Double> figures = new TreeMap<>();
        FLUSH_FIGURES.forEach((name, pattern) -> {
            Matcher m = pattern.matcher(body);
            figures.put(name, m.find() ? Double.parseDouble(m.group(1)) : Double.NaN);
        });
        return figures;
    }

    private static String scrape(ServiceProcess service) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.baseUrl()
                + "/actuator/prometheus")).header("X-API-Key", service.apiKey()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static final Pattern BUCKET = Pattern.compile(
            "lambda_speed_freshness_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.eE+-]+)");

    private static Map<Double, Double> freshnessBuckets(ServiceProcess service) throws Exception {
        String body = scrape(service);
        Map<Double, Double> buckets = new TreeMap<>();
        Matcher m = BUCKET.matcher(body);
        while (m.find()) {
            buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
                    Double.parseDouble(m.group(2)));
        }
        return buckets;
    }

    /** The upper bound (ms) of the histogram bucket holding quantile {@code q} of what was recorded between the two scrapes. */
    private static String quantile(Map<Double, Double> before, Map<Double, Double> after, double q) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            double count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0);
            if (count >= q * total) {
                return "<= " + Math.round(bucket.getKey() * 1000);
            }
        }
        return "?";
    }

    private SpeedBenchmark() {
    }
}
