package io.lambda.systemtests;

import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.StackLayout;
import io.lambda.localservers.demo.DemoWorkload;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole stack as a user meets it (the four services from their jars with their defaults, a Kafka and a
 * Cassandra of its own as {@code ./lambda up} starts them), once per speed engine, in one run
 * (docs/performance.md, "Whole stack"). Per engine, on fresh servers:
 * <ol>
 *   <li><b>Sustained demo traffic</b> ({@code ./lambda demo}'s mix: skewed URLs, returning users,
 *   purchases, 3 % late, 2 % duplicates) through the ingest API at each rate for its duration. Beside it,
 *   a probe every 250 ms: one pageview of a URL of its own, then its series read through the query API
 *   every 20 ms (after the first second every 200 ms) until it counts it. <b>Freshness</b> is POST sent → first answer that counts it: the wait
 *   a dashboard user sees. p50/p99 over the phase and per minute (a growing p99 means falling behind).
 *   <b>CPU</b>: utime + stime of every process of the stack (Kafka, Cassandra, four services; not this
 *   load generator) from the phase's start until its last probe is visible, per 1,000 events sent.</li>
 *   <li><b>Queries</b>: REST series of the demo's URLs (hour buckets, the last 24 h) at a fixed rate,
 *   open loop, on the settled stack: latency p50/p99.</li>
 *   <li><b>Burst, speed layer alone</b>: batch-service stopped, then pageviews with event times spread
 *   over 72 h across 200 URLs of their own, through the ingest API as fast as it takes them; the time
 *   from the first POST until the query API's top list counts every one of them.</li>
 * </ol>
 *
 * <p>Run by {@code system-tests/bench/stack-bench.sh}; settings as system properties
 * ({@code -Dbench.engines=writer,streams -Dbench.rates=5000,10000 -Dbench.seconds=60,180 ...}).
 */
public final class StackBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newFixedThreadPool(8)).build();

    private record Phase(int rate, int seconds, long sent, List<Long> probesMillis, List<Long> p99PerMinute,
                         double stackCpuSeconds, double generatorCpuSeconds, long lostProbes) {

        double cpuPerThousand() {
            return stackCpuSeconds * 1000.0 / sent;
        }
    }

    private record Result(String engine, List<Phase> phases, List<Long> queryMillis, long queryErrors, int burstEvents,
                          double burstSendSeconds, double burstVisibleSeconds) {
    }

    private final String engine;
    private final RunningStack stack;
    private final String apiKey;
    private final URI ingest;
    private final String query;

    private StackBenchmark(String engine, RunningStack stack) {
        this.engine = engine;
        this.stack = stack;
        this.apiKey = stack.apiKey();
        this.ingest = URI.create(stack.url("ingest-service", "/api/v1/events"));
        this.query = stack.url("query-service", "");
    }

    public static void main(String[] args) throws Exception {
        List<String> engines = List.of(System.getProperty("bench.engines", "writer,streams").split(","));
        List<Integer> rates = ints(System.getProperty("bench.rates", "5000,10000"));
        List<Integer> seconds = ints(System.getProperty("bench.seconds", "60,180"));
        int warmupSeconds = Integer.getInteger("bench.warmup", 45);
        int queryRate = Integer.getInteger("bench.query-rate", 500);
        int querySeconds = Integer.getInteger("bench.query-seconds", 20);
        int burst = Integer.getInteger("bench.burst", 60_000);
        List<Result> results = new ArrayList<>();
        for (String engine : engines) {
            log("=== engine %s: starting a fresh stack", engine);
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("lambda.speed.engine", engine);
            properties.put("lambda.batch.schedule.enabled", "true"); // as ./lambda up runs it: every 5 min
            List<Phase> phases = new ArrayList<>();
            List<Long> queryMillis = Collections.synchronizedList(new ArrayList<>());
            long queryErrors = -1;
            double[] burstTimes = {Double.NaN, Double.NaN};
            try (RunningStack stack = RunningStack.onOwnServers(Duration.ofMinutes(5), benchLayout(), properties)) {
                StackBenchmark bench = new StackBenchmark(engine, stack);
                bench.sustained(2_000, warmupSeconds, false);
                for (int i = 0; i < rates.size(); i++) {
                    phases.add(bench.sustained(rates.get(i), seconds.get(i), true));
                }
                bench.awaitSettled();
                queryErrors = bench.queries(queryRate, querySeconds, queryMillis);
                bench.awaitSettled();
                burstTimes = bench.burst(burst);
            } catch (Exception e) {
                log("%s: the run stopped: %s", engine, e);
            }
            results.add(new Result(engine, phases, queryMillis, queryErrors, burst, burstTimes[0], burstTimes[1]));
        }
        System.out.println();
        System.out.println(report(results));
        System.exit(0); // the HTTP client's threads would keep the JVM up
    }

    private static StackLayout benchLayout() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("ingest-service", 26081);
        ports.put("speed-service", 26082);
        ports.put("batch-service", 26083);
        ports.put("query-service", 26080);
        ProjectHome home = ProjectHome.locate();
        return new StackLayout("stack-bench", home.stateDir().resolve("stack-bench"), 26092, 26093, 26042, 26000,
                ports);
    }

    /** Demo traffic at {@code rate} for {@code seconds}, with probes when measured. */
    private Phase sustained(int rate, int seconds, boolean measured) throws Exception {
        log("%s: %s %d events/s for %d s", engine, measured ? "phase" : "warm-up", rate, seconds);
        DemoWorkload workload = new DemoWorkload(rate * 31L + seconds, 300, 5000, 0.03, 0.02);
        Map<String, Double> cpuBefore = stackCpu();
        double generatorBefore = generatorCpu();
        AtomicLong sent = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<?>> posts = new ArrayList<>();
        ConcurrentLinkedQueue<long[]> probes = new ConcurrentLinkedQueue<>(); // {sentAtMillis, latencyMillis}
        AtomicLong lost = new AtomicLong();
        // a probe every 250 ms however long the earlier ones wait to be seen (each on a thread of its own)
        ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();
        ExecutorService probesInFlight = Executors.newCachedThreadPool();
        AtomicBoolean probing = new AtomicBoolean(measured);
        AtomicLong probeNumber = new AtomicLong();
        long start = System.nanoTime();
        if (measured) {
            prober.scheduleAtFixedRate(() -> {
                if (probing.get()) {
                    long n = probeNumber.incrementAndGet();
                    probesInFlight.execute(() -> probe(n, start, probes, lost));
                }
            }, 0, 250, TimeUnit.MILLISECONDS);
        }
        int tickMillis = 100;
        double owed = 0;
        long tick = 0;
        while (System.nanoTime() - start < seconds * 1_000_000_000L) {
            owed += rate * tickMillis / 1000.0;
            int count = (int) owed;
            owed -= count;
            Instant now = Instant.now();
            // requests of at most 500 events, as a client batches; several in flight
            for (int from = 0; from < count; from += 500) {
                int size = Math.min(500, count - from);
                StringBuilder body = new StringBuilder(size * 200).append('[');
                for (int i = 0; i < size; i++) {
                    body.append(i == 0 ? "" : ",").append(workload.next(now).json());
                }
                body.append(']');
                inFlight.acquire();
                posts.add(post(body.toString()).whenComplete((status, failure) -> {
                    inFlight.release();
                    if (failure == null && status == 202) {
                        sent.addAndGet(size);
                    } else {
                        failed.incrementAndGet();
                    }
                }));
            }
            tick++;
            long sleep = start / 1_000_000 + tick * tickMillis - System.nanoTime() / 1_000_000;
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
        }
        CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        probing.set(false);
        prober.shutdown();
        prober.awaitTermination(1, TimeUnit.MINUTES);
        probesInFlight.shutdown();
        probesInFlight.awaitTermination(2, TimeUnit.MINUTES); // probes still waiting to be seen finish (60 s each at most)
        Map<String, Double> cpu = cpuSince(cpuBefore);
        double stackCpuSeconds = cpu.get("stack");
        double generatorSeconds = generatorCpu() - generatorBefore;
        double wall = (System.nanoTime() - start) / 1e9;
        List<Long> latencies = probes.stream().map(p -> p[1]).sorted().toList();
        List<Long> p99PerMinute = new ArrayList<>();
        for (int minute = 0; minute * 60 < seconds; minute++) {
            long from = minute * 60_000L;
            List<Long> inMinute = probes.stream().filter(p -> p[0] >= from && p[0] < from + 60_000)
                    .map(p -> p[1]).sorted().toList();
            p99PerMinute.add(percentile(inMinute, 0.99));
        }
        log("%s: %d events/s for %d s: %d events accepted (%d requests failed), %.1f s until the last probe was seen, "
                        + "freshness p50 %d ms p99 %d ms (%d probes, %d not seen in 60 s), p99 per minute %s, stack CPU "
                        + "%.1f s (%.3f s per 1,000 events; by process %s), load generator CPU %.1f s",
                engine, rate, seconds, sent.get(), failed.get(), wall, percentile(latencies, 0.5),
                percentile(latencies, 0.99), latencies.size(), lost.get(), p99PerMinute, stackCpuSeconds,
                stackCpuSeconds * 1000 / Math.max(1, sent.get()), perThousand(cpu, sent.get()), generatorSeconds);
        return new Phase(rate, seconds, sent.get(), latencies, p99PerMinute, stackCpuSeconds, generatorSeconds,
                lost.get());
    }

    /** One probe: a pageview of a URL of its own, then its series until it counts it (at most 60 s). */
    private void probe(long n, long phaseStart, ConcurrentLinkedQueue<long[]> probes, AtomicLong lost) {
        try {
            Instant now = Instant.now();
            String url = "/probe/" + engine + "/" + n;
            String event = JSON.writeValueAsString(Map.of("eventId", "probe-" + engine + "-" + n + "-" + now.toEpochMilli(),
                    "type", "pageview", "timestamp", now.toEpochMilli(),
                    "attributes", Map.of("url", url, "userId", "probe")));
            long sentAt = System.nanoTime();
            int status = post("[" + event + "]").get(30, TimeUnit.SECONDS);
            if (status != 202) {
                lost.incrementAndGet();
                return;
            }
            Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
            String series = query + "/api/v1/views/pageviews/series?key=" + URLEncoder.encode(url, StandardCharsets.UTF_8)
                    + "&from=" + minute + "&to=" + minute.plus(1, ChronoUnit.MINUTES) + "&granularity=minute";
            while (System.nanoTime() - sentAt < 60_000_000_000L) {
                HttpResponse<String> answer = HTTP.send(get(series), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && JSON.readTree(answer.body()).path("total").asInt() >= 1) {
                    probes.add(new long[] {(sentAt - phaseStart) / 1_000_000, (System.nanoTime() - sentAt) / 1_000_000});
                    return;
                }
                // every 20 ms for the first second, then every 200 ms: a stack that is behind would otherwise get
                // 50 queries a second from each of the hundreds of probes waiting, and fall further behind
                Thread.sleep(System.nanoTime() - sentAt < 1_000_000_000L ? 20 : 200);
            }
            lost.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            lost.incrementAndGet();
        }
    }

    /** Until the speed layer's lag (query API, freshness) is below 1 s: the backlog of a phase is absorbed (3 min at most). */
    private void awaitSettled() throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < 180_000_000_000L) {
            try {
                HttpResponse<String> answer = HTTP.send(get(query + "/api/v1/freshness"), HttpResponse.BodyHandlers.ofString());
                JsonNode lag = JSON.readTree(answer.body()).path("speedLagSeconds");
                if (answer.statusCode() == 200 && lag.isNumber() && lag.asDouble() < 1) {
                    log("%s: settled after %.1f s (speed lag %.2f s)", engine, (System.nanoTime() - start) / 1e9, lag.asDouble());
                    return;
                }
            } catch (IOException e) {
                // the stack is busy: ask again
            }
            Thread.sleep(500);
        }
        log("%s: speed lag still >= 1 s after 3 minutes", engine);
    }

    /** REST series of the demo's URLs at {@code rate} per second, open loop; returns the failures. */
    private long queries(int rate, int seconds, List<Long> millis) throws Exception {
        log("%s: REST series at %d/s for %d s", engine, rate, seconds);
        Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        Instant from = to.minus(24, ChronoUnit.HOURS);
        Random random = new Random(7);
        AtomicLong errors = new AtomicLong();
        Map<String, AtomicLong> failures = new java.util.concurrent.ConcurrentHashMap<>();
        List<CompletableFuture<?>> calls = new ArrayList<>();
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / rate;
        for (long i = 0; i < (long) rate * seconds; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            // the demo's URLs by its own popularity: /<section>/page-<n>; a key the demo never sent is a valid empty series
            String url = DemoWorkload.url(random.nextInt(300));
            HttpRequest request = get(query + "/api/v1/views/pageviews/series?key="
                    + URLEncoder.encode(url, StandardCharsets.UTF_8) + "&from=" + from + "&to=" + to + "&granularity=hour");
            long sentAt = System.nanoTime();
            calls.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                if (failure != null || response.statusCode() != 200) {
                    errors.incrementAndGet();
                    failures.computeIfAbsent(failure != null ? failure.getClass().getSimpleName()
                            : "HTTP " + response.statusCode(), k -> new AtomicLong()).incrementAndGet();
                } else {
                    millis.add((System.nanoTime() - sentAt) / 1_000_000);
                }
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        List<Long> sorted = millis.stream().sorted().toList();
        log("%s: REST series p50 %d ms p99 %d ms (%d answers, %d errors %s)", engine, percentile(sorted, 0.5),
                percentile(sorted, 0.99), sorted.size(), errors.get(), failures);
        return errors.get();
    }

    /** The 72 h, 200-URL burst with batch-service stopped: {seconds to send, seconds until all visible}. */
    private double[] burst(int events) throws Exception {
        log("%s: burst of %d pageviews over 72 h and 200 URLs, batch-service stopped", engine, events);
        stack.service("batch-service").stop();
        Instant now = Instant.now();
        Random random = new Random(72);
        String prefix = "/burst/" + engine + "/";
        List<String> bodies = new ArrayList<>();
        for (int from = 0; from < events; from += 1000) {
            StringBuilder body = new StringBuilder().append('[');
            for (int i = from; i < Math.min(events, from + 1000); i++) {
                long eventTime = now.toEpochMilli() - (long) (random.nextDouble() * Duration.ofHours(72).toMillis());
                body.append(i == from ? "" : ",").append(JSON.writeValueAsString(Map.of("eventId", "burst-" + engine + "-" + i,
                        "type", "pageview", "timestamp", eventTime,
                        "attributes", Map.of("url", prefix + "u" + random.nextInt(200), "userId", "u" + random.nextInt(20_000)))));
            }
            bodies.add(body.append(']').toString());
        }
        Semaphore inFlight = new Semaphore(4);
        List<CompletableFuture<Integer>> posts = new ArrayList<>();
        long start = System.nanoTime();
        for (String body : bodies) {
            inFlight.acquire();
            posts.add(post(body).whenComplete((status, failure) -> inFlight.release()));
        }
        CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).join();
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        long refused = posts.stream().filter(p -> p.join() != 202).count();
        if (refused > 0) {
            throw new IllegalStateException(refused + " burst requests were not accepted");
        }
        Instant day = now.truncatedTo(ChronoUnit.DAYS);
        String top = query + "/api/v1/views/pageviews/top?from=" + day.minus(3, ChronoUnit.DAYS) + "&to="
                + day.plus(1, ChronoUnit.DAYS) + "&granularity=day&limit=1000";
        long counted = 0;
        while (System.nanoTime() - start < 600_000_000_000L) {
            HttpResponse<String> answer;
            try {
                answer = HTTP.send(get(top), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                continue; // timed out under load: ask again
            }
            if (answer.statusCode() == 200) {
                counted = 0;
                for (JsonNode item : JSON.readTree(answer.body()).path("items")) {
                    if (item.path("key").asString().startsWith(prefix)) {
                        counted += item.path("value").asLong();
                    }
                }
                if (counted >= events) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        double visibleSeconds = (System.nanoTime() - start) / 1e9;
        log("%s: burst sent in %.1f s (%.0f events/s), all %d counted after %.1f s: %.0f events/s end to end", engine,
                sendSeconds, events / sendSeconds, counted, visibleSeconds, events / visibleSeconds);
        if (counted != events) {
            throw new IllegalStateException("the burst was not fully counted in 10 minutes: " + counted + " of " + events);
        }
        return new double[] {sendSeconds, visibleSeconds};
    }

    private CompletableFuture<Integer> post(String body) {
        HttpRequest request = HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    private HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).header("X-API-Key", apiKey)
                .GET().build();
    }

    /** CPU seconds (utime + stime) of every process the stack recorded a pid for, by its name (kafka, speed-service, ...). */
    private Map<String, Double> stackCpu() throws IOException {
        Map<String, Double> cpu = new TreeMap<>();
        Path pids = stack.layout().stateDir().resolve("pids");
        try (Stream<Path> files = Files.list(pids)) {
            for (Path file : files.toList()) {
                long pid = Long.parseLong(Files.readString(file).trim());
                cpu.put(file.getFileName().toString().replace(".pid", "") + "@" + pid, cpuSeconds(pid));
            }
        }
        return cpu;
    }

    /** Per process, the CPU seconds since {@code before}; the total under "stack". */
    private Map<String, Double> cpuSince(Map<String, Double> before) throws IOException {
        Map<String, Double> spent = new TreeMap<>();
        double total = 0;
        for (Map.Entry<String, Double> now : stackCpu().entrySet()) {
            double seconds = now.getValue() - before.getOrDefault(now.getKey(), 0.0);
            spent.put(now.getKey().substring(0, now.getKey().indexOf('@')), seconds);
            total += seconds;
        }
        spent.put("stack", total);
        return spent;
    }

    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime in ticks
        } catch (IOException e) {
            return 0; // gone
        }
    }

    private static String perThousand(Map<String, Double> cpu, long events) {
        StringBuilder out = new StringBuilder();
        cpu.forEach((name, seconds) -> out.append(out.isEmpty() ? "" : ", ").append(name).append(' ')
                .append(String.format(Locale.ROOT, "%.3f", seconds * 1000 / Math.max(1, events))));
        return out.toString();
    }

    private static double generatorCpu() {
        return cpuSeconds(ProcessHandle.current().pid());
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String report(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("| engine | rate (events/s) | accepted | freshness p50 / p99 (ms) | p99 per minute (ms) | probes not seen "
                + "| stack CPU-s per 1,000 events |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Result result : results) {
            for (Phase phase : result.phases()) {
                out.append(String.format(Locale.ROOT, "| %s | %d for %d s | %d | %d / %d | %s | %d | %.3f |%n",
                        result.engine(), phase.rate(), phase.seconds(), phase.sent(), percentile(phase.probesMillis(), 0.5),
                        percentile(phase.probesMillis(), 0.99), phase.p99PerMinute(), phase.lostProbes(),
                        phase.cpuPerThousand()));
            }
        }
        out.append("\n| engine | REST series p50 / p99 (ms) | errors | burst: sent in (s) | burst: all visible after (s) "
                + "| end to end (events/s) |\n| --- | --- | --- | --- | --- | --- |\n");
        for (Result result : results) {
            List<Long> sorted = result.queryMillis().stream().sorted().toList();
            out.append(String.format(Locale.ROOT, "| %s | %d / %d | %d | %.1f | %.1f | %.0f |%n", result.engine(),
                    percentile(sorted, 0.5), percentile(sorted, 0.99), result.queryErrors(), result.burstSendSeconds(),
                    result.burstVisibleSeconds(), result.burstEvents() / result.burstVisibleSeconds()));
        }
        return out.toString();
    }

    private static List<Integer> ints(String list) {
        return Stream.of(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "%s %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS),
                String.format(Locale.ROOT, format, args));
    }
}
