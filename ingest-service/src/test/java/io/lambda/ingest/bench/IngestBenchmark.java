package io.lambda.ingest.bench;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.localservers.StackApiKey;
import io.lambda.localservers.LoopbackHttpClient;
import io.lambda.localservers.TestApiKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One run, three measurements on the same machine (not a test; see docs/performance.md, ingest-service):
 * <ol>
 * <li>raw Kafka producer throughput, the service's producer settings and record size: the baseline;</li>
 * <li>HTTP ingest throughput of the real service jar (100 events per request, concurrent clients on
 *     loopback), closed loop: the sustainable rate, its ratio to the baseline, and the service's CPU
 *     per event;</li>
 * <li>HTTP latency (p50/p99/max) at 70 % of that rate, open loop: each request is timed from when
 *     it was due, so a stalled server is not hidden by clients that wait for it; with the slowest
 *     100 ms slices, the disk's writeback around them and the producer's produce-request latency,
 *     to say where a tail came from.</li>
 * </ol>
 * Settings by system property: bench.bootstrap (127.0.0.1:19092), bench.port (28081), bench.jar,
 * bench.clients (32), bench.eventsPerRequest (100), bench.seconds (15), bench.warmup (20, the least),
 * bench.maxWarmup (180), bench.serviceJvmArgs (none; e.g. a JFR recording), bench.serviceJava (the
 * service's java; this JVM's by default).
 */
public final class IngestBenchmark {

    private final int eventsPerRequest = Integer.getInteger("bench.eventsPerRequest", 100);
    private static final int PARTITIONS = 6;

    private final String bootstrap = System.getProperty("bench.bootstrap", "127.0.0.1:19092");
    private final int port = Integer.getInteger("bench.port", 28081);
    // 32 clients: with 8 the closed loop was bound by latency (8 requests in flight, ~7 ms each: linger.ms
    // and the acknowledgement), and the service used about half of a core; the rate it can sustain
    // needs enough requests in flight to keep it busy.
    private final int clients = Integer.getInteger("bench.clients", 32);
    private final int seconds = Integer.getInteger("bench.seconds", 15);
    // 20 s: with 5 s the service's JIT compiler threads still used as much CPU as its request
    // threads during the measured phase, so the rate and the CPU per event measured compilation.
    private final int warmup = Integer.getInteger("bench.warmup", 20);
    private final int maxWarmup = Integer.getInteger("bench.maxWarmup", 180);
    private final Path jar = Path.of(System.getProperty("bench.jar", "target/ingest-service.jar")).toAbsolutePath();
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final EventCodec codec = new EventCodec();
    /** One persistent connection per client thread: Java's HttpClient cost ~1 ms of CPU per request on these cores. */
    private final LoopbackHttpClient http = new LoopbackHttpClient(port, 1);

    public static void main(String[] args) throws Exception {
        new IngestBenchmark().runAll();
    }

    private void runAll() throws Exception {
        String rawTopic = "bench.raw." + run;
        String httpTopic = "bench.http." + run;
        createTopic(rawTopic);
        Event sample = event(0, 0);
        int recordBytes = codec.encode(sample).length;
        say("record size %d bytes (key %d bytes), %d partitions, %d cores", recordBytes, sample.eventId().length(),
                PARTITIONS, Runtime.getRuntime().availableProcessors());

        double raw = rawProducer(rawTopic);
        say("raw producer: %,.0f records/s", raw);

        Process service = startService(httpTopic);
        try {
            awaitReady();
            List<byte[]> bodies = bodies(Math.max(40, 400_000 / eventsPerRequest)); // ~80 MB of bodies
            warmUp(bodies);
            Duration cpuBefore = cpu(service);
            double compiledBefore = compilationSeconds();
            long startNanos = System.nanoTime();
            double httpRate = closedLoop(bodies, seconds, true);
            double cpuSeconds = (cpu(service).minus(cpuBefore).toNanos()) / 1e9;
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            say("service JIT compiler during the measurement: %.1f s of %.0f s", compilationSeconds() - compiledBefore,
                    elapsed);
            String metrics = prometheus();
            sayBatching("service's producer", gauge(metrics, "kafka_producer_records_per_request_avg"),
                    gauge(metrics, "kafka_producer_batch_size_avg"), gauge(metrics, "kafka_producer_request_latency_avg"));
            say("HTTP ingest, %d clients, %d events/request: %,.0f events/s (%,.0f requests/s)", clients,
                    eventsPerRequest, httpRate, httpRate / eventsPerRequest);
            // Throughput on two shared cores varies by a sixth from run to run; the service's CPU per
            // event is what says whether a change to the service made it cheaper.
            say("service CPU: %.1f us per event (%.2f cores)", cpuSeconds * 1e6 / (httpRate * elapsed),
                    cpuSeconds / elapsed);
            say("ratio HTTP / raw producer: %.2f", httpRate / raw);
            double target = 0.7 * httpRate / eventsPerRequest;
            Histogram latency = openLoop(bodies, target, seconds);
            // Kafka's own maximum over its last 30 s window: whether the broker's acknowledgements were what stalled
            String afterLatency = prometheus();
            say("  service's producer: produce request latency max %.1f ms, avg %.1f ms",
                    gauge(afterLatency, "kafka_producer_request_latency_max"),
                    gauge(afterLatency, "kafka_producer_request_latency_avg"));
            say("at 70%% (%,.0f requests/s = %,.0f events/s): p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms, "
                            + "%d requests", target, target * eventsPerRequest, ms(latency.getValueAtPercentile(50)),
                    ms(latency.getValueAtPercentile(99)), ms(latency.getValueAtPercentile(99.9)),
                    ms(latency.getMaxValue()), latency.getTotalCount());
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
            deleteTopics(rawTopic, httpTopic);
        }
    }

    /** The service's producer settings (application.yaml), on a topic made like the events topic. */
    private double rawProducer(String topic) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                Event event = event(1, i);
                records.add(new ProducerRecord<>(topic, event.eventId(), codec.encode(event)));
            }
            sendFor(producer, records, warmup);
            double rate = sendFor(producer, records, seconds);
            Map<String, Double> metrics = new java.util.HashMap<>();
            producer.metrics().forEach((name, metric) -> {
                if (name.group().equals("producer-metrics") && metric.metricValue() instanceof Double value) {
                    metrics.put(name.name(), value);
                }
            });
            sayBatching("raw producer", metrics.get("records-per-request-avg"), metrics.get("batch-size-avg"),
                    metrics.get("request-latency-avg"));
            return rate;
        }
    }

    private static double sendFor(KafkaProducer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records,
                                  int seconds) throws Exception {
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; System.nanoTime() < end; i++) {
            producer.send(records.get(i % records.size()), (metadata, error) -> {
                if (error == null) {
                    acked.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            });
        }
        producer.flush();
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " raw sends failed");
        }
        return acked.get() / elapsed;
    }

    /** The CPU time a process has used so far (user and system, every thread). */
    private static Duration cpu(Process process) {
        return process.info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("the OS does not report the service's CPU time"));
    }

    private Process startService(String topic) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No service jar at " + jar + "; build it first (see bench/run.sh)");
        }
        Path log = jar.getParent().resolve("bench-ingest-service.log");
        say("starting %s on port %d, log %s", jar.getFileName(), port, log);
        String java = System.getProperty("bench.serviceJava", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
        String jvmArgs = System.getProperty("bench.serviceJvmArgs", "").trim();
        if (!jvmArgs.isEmpty()) {
            command.addAll(List.of(jvmArgs.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString(),
                "--server.port=" + port, "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--lambda.ingest.topic.name=" + topic, "--lambda.ingest.topic.partitions=" + PARTITIONS,
                // measured with security on, as deployed, but without a rate limit in the way
                "--lambda.security.api-keys[0].id=bench",
                "--lambda.security.api-keys[0].sha256=" + StackApiKey.sha256Hex(TestApiKeys.INGEST),
                "--lambda.security.api-keys[0].scopes=ingest",
                "--lambda.security.rate-limits.ingest.requests-per-second=1000000",
                "--lambda.security.rate-limits.ingest.burst=1000000"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (http.exchange(http.get("/actuator/health/readiness", "Accept", "application/json")).status() == 200) {
                    return;
                }
            } catch (java.io.UncheckedIOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the ingest service was not ready within 60 s");
    }

    /**
     * At least {@code bench.warmup} seconds of full load, then more in 10 s slices until the service's JIT
     * compiler is done (under 0.5 s of compilation in a slice), at most {@code bench.maxWarmup} seconds.
     * On two cores shared with the broker, the compiler took a third of the service's CPU for over
     * a minute; a rate measured before it is done is the rate of a service still starting.
     */
    private void warmUp(List<byte[]> bodies) throws InterruptedException {
        long start = System.nanoTime();
        closedLoop(bodies, warmup, false);
        double compiled = compilationSeconds();
        while ((System.nanoTime() - start) / 1e9 < maxWarmup) {
            double rate = closedLoop(bodies, 10, false);
            double now = compilationSeconds();
            say("  warming up: %,.0f events/s, %.1f s of JIT compilation in the last 10 s", rate, now - compiled);
            if (now - compiled < 0.5) {
                break;
            }
            compiled = now;
        }
        say("warm-up: %.0f s", (System.nanoTime() - start) / 1e9);
    }

    /** The service's total JIT compilation time so far (Micrometer's jvm.compilation.time). */
    private double compilationSeconds() {
        return gauge(prometheus(), "jvm_compilation_time_ms_total") / 1000;
    }

    private String prometheus() {
        return http.exchange(http.get("/actuator/prometheus", TestApiKeys.HEADER, TestApiKeys.INGEST)).body();
    }

    /** The sum of a metric's series in a Prometheus text answer. */
    private static double gauge(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * How a producer batched (Kafka's own averages over its last 30-60 s): the broker's CPU goes by
     * produce request more than by record, so fewer records per request cost it more per record.
     */
    private static void sayBatching(String who, Double recordsPerRequest, Double batchBytes, Double requestLatencyMs) {
        say("%s: %.0f records per produce request, batches of %.0f bytes, %.1f ms per request", who,
                recordsPerRequest, batchBytes, requestLatencyMs);
    }

    /** Clients that each send the next request as soon as the last was answered; events per second. */
    private double closedLoop(List<byte[]> bodies, int seconds, boolean report) throws InterruptedException {
        AtomicLong events = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong next = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(started(() -> {
                while (System.nanoTime() < end) {
                    if (post(bodies.get((int) (next.getAndIncrement() % bodies.size())))) {
                        events.addAndGet(eventsPerRequest);
                    } else {
                        errors.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (report && errors.get() > 0) {
            say("WARNING: %d requests were not answered 202", errors.get());
        }
        return events.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Requests due at a fixed rate, each timed from when it was due; enough workers that none waits for a client. */
    private Histogram openLoop(List<byte[]> bodies, double requestsPerSecond, int seconds) throws InterruptedException {
        long interval = (long) (1e9 / requestsPerSecond);
        long total = (long) (requestsPerSecond * seconds);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        Recorder recorder = new Recorder(3);
        // the worst latency per 100 ms of due time: a p99 made by one stall shows as a few bad slices,
        // whose wall-clock times can be matched with the disk's writeback (below) and with GC logs
        AtomicLongArray worstPerSlice = new AtomicLongArray(seconds * 10 + 1);
        DiskWriteback writeback = DiskWriteback.start();
        long wallStartMillis = System.currentTimeMillis() + 100;
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        int workers = Math.max(clients, 16);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            threads.add(started(() -> {
                long i;
                while ((i = next.getAndIncrement()) < total) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    boolean ok = post(bodies.get((int) (i % bodies.size())));
                    long latency = System.nanoTime() - due;
                    recorder.recordValue(latency);
                    worstPerSlice.accumulateAndGet((int) Math.min(worstPerSlice.length() - 1, (due - start) / 100_000_000L),
                            latency, Math::max);
                    if (!ok) {
                        errors.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (errors.get() > 0) {
            say("WARNING: %d paced requests were not answered 202", errors.get());
        }
        writeback.close();
        sayWorstSlices(worstPerSlice, wallStartMillis, writeback);
        return recorder.getIntervalHistogram();
    }

    /**
     * The three 100 ms slices of the open loop with the slowest requests, by wall-clock time, each with
     * what the kernel wrote to disk from 300 ms before it to its end, against the most written in any
     * 400 ms of the phase: a stall that lines up with the phase's biggest writeback was the disk's.
     */
    private static void sayWorstSlices(AtomicLongArray worstPerSlice, long wallStartMillis, DiskWriteback writeback) {
        DateTimeFormatter clock = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
        long wallEndMillis = wallStartMillis + worstPerSlice.length() * 100L;
        if (writeback.knows()) {
            long busiest = writeback.busiestWindow(wallStartMillis, wallEndMillis, 400);
            say("  disk writeback in the latency phase: %.0f MB in all, the most (%.0f MB in 400 ms) from %s UTC",
                    writeback.megabytesWritten(wallStartMillis, wallEndMillis),
                    writeback.megabytesWritten(busiest, busiest + 400), clock.format(Instant.ofEpochMilli(busiest)));
        }
        IntStream.range(0, worstPerSlice.length()).boxed()
                .sorted((a, b) -> Long.compare(worstPerSlice.get(b), worstPerSlice.get(a))).limit(3)
                .forEach(slice -> {
                    long sliceStart = wallStartMillis + slice * 100L;
                    say("  slowest slice at %s UTC: max %.1f ms%s", clock.format(Instant.ofEpochMilli(sliceStart)),
                            ms(worstPerSlice.get(slice)), writeback.knows()
                                    ? String.format(Locale.ROOT, ", %.0f MB written to disk around it",
                                            writeback.megabytesWritten(sliceStart - 300, sliceStart + 100))
                                    : "");
                });
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
    }

    private boolean post(byte[] request) {
        try {
            return http.exchange(request).status() == 202;
        } catch (java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** Requests of 100 events each, every event with its own id, built (as bytes) before any timing. */
    private List<byte[]> bodies(int count) {
        List<byte[]> bodies = new ArrayList<>(count);
        long now = Instant.now().toEpochMilli();
        for (int r = 0; r < count; r++) {
            StringBuilder body = new StringBuilder(eventsPerRequest * 220).append('[');
            for (int e = 0; e < eventsPerRequest; e++) {
                int n = r * eventsPerRequest + e;
                body.append(e == 0 ? "" : ",").append("{\"eventId\":\"").append(id(2, n))
                        .append("\",\"type\":\"pageview\",\"timestamp\":").append(now)
                        .append(",\"attributes\":{\"url\":\"/products/").append(n % 5000)
                        .append("\",\"userId\":\"u").append(n % 100_000)
                        .append("\",\"country\":\"DE\",\"referrer\":\"https://www.example.com/search?q=lambda\"}}");
            }
            bodies.add(http.postJson("/api/v1/events", body.append(']').toString(), TestApiKeys.HEADER, TestApiKeys.INGEST));
        }
        return bodies;
    }

    /** The same event shape as the HTTP bodies, so the raw records are the same size. */
    private Event event(int phase, int n) {
        return new Event(id(phase, n), "pageview", Instant.now(), Map.of("url", "/products/" + (n % 5000),
                "userId", "u" + (n % 100_000), "country", "DE", "referrer", "https://www.example.com/search?q=lambda"));
    }

    private String id(int phase, int n) {
        return "bench-" + run + "-" + phase + "-" + String.format(Locale.ROOT, "%08d", n);
    }

    private void createTopic(String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
        }
    }

    private void deleteTopics(String... topics) {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(topics)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            say("could not delete the bench topics: %s", e.getMessage());
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    @SuppressWarnings("java:S106") // a command-line harness reports on stdout
    private static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, format + "%n", args);
    }
}
