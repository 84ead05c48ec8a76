package io.lambda.query.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.lambda.localservers.LoopbackHttpClient;
import io.lambda.localservers.TestApiKeys;
import io.lambda.query.ApiClient;
import io.lambda.query.SeededCells;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import io.lambda.store.StoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Open-loop load on loopback against a running query-service: a 24-point hourly series at a fixed
 * rate over REST, then the same question over GraphQL, beside the raw Cassandra point read (one
 * batch cell by primary key) at the same rate in the same run. Latency is measured from the time
 * each request was due, not when it was sent, so a stall is not hidden (no coordinated omission).
 *
 * <p>The series requests rotate over the six keys of SeededCells (request {@code i} asks key
 * {@code i mod 6}), so that the service is not measured answering one key only; its batch reads are
 * cached per published version by design (docs/query.md), the speed reads are made for every request.
 * The raw Cassandra point reads rotate over the same keys. With {@code cpu=name:pid,...} each phase
 * also prints the CPU time those processes used per measured request (from /proc), a figure that
 * holds better than latency on a machine shared with other work.
 *
 * <p>Run through {@code query-service/bench/query-bench.sh}; arguments are {@code name=value}:
 * {@code port}, {@code cassandra} (host:port), {@code datacenter}, {@code keyspace}, {@code rate}
 * (requests/s), {@code warmup} (seconds of REST and GraphQL series requests, alternating, before
 * any phase: the JIT compiles both paths before anything is measured), {@code phase-warmup} and
 * {@code seconds} (per phase: unmeasured, then measured), {@code seed=true} to write the cells of
 * SeededCells and publish version 3 first, {@code cpu}, {@code connections} (the load generator's
 * HTTP connections, default 32; {@link LoopbackHttpClient}), {@code interleaved=false} to leave out
 * the last phase (REST and GraphQL alternating request by request, which gives their ratio).
 */
public final class QueryLoadBenchmark {

    private QueryLoadBenchmark() {
    }

    /** One phase's figures. */
    record Figures(String name, int sent, int failed, double p50, double p99, double p999, double max,
                   String firstFailure, String cpu) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-16s sent %6d  failed %4d  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms%s%s",
                    name, sent, failed, p50, p99, p999, max, cpu.isEmpty() ? "" : "\n    CPU per request: " + cpu,
                    firstFailure == null ? "" : "\n    first failure: " + firstFailure);
        }
    }

    private static final java.util.concurrent.atomic.AtomicReference<String> FIRST_FAILURE =
            new java.util.concurrent.atomic.AtomicReference<>();

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("port", "28080", "cassandra", "127.0.0.1:19042",
                "datacenter", "datacenter1", "keyspace", "bench_query", "rate", "500", "warmup", "60", "phase-warmup", "5", "seconds", "20",
                "seed", "false"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            options.put(kv[0], kv[1]);
        }
        int rate = Integer.parseInt(options.get("rate"));
        int warmup = Integer.parseInt(options.get("warmup"));
        int phaseWarmup = Integer.parseInt(options.get("phase-warmup"));
        int seconds = Integer.parseInt(options.get("seconds"));
        String[] cassandra = options.get("cassandra").split(":");

        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(cassandra[0], Integer.parseInt(cassandra[1])))
                .withLocalDatacenter(options.get("datacenter"))
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30)).build())
                .build()) {
            StoreSettings settings = new StoreSettings(options.get("keyspace"), 1, "default");
            if (Boolean.parseBoolean(options.get("seed"))) {
                LambdaStore store = LambdaStore.open(session, settings);
                SeededCells.write(store, SeededCells.views(), SeededCells.events());
                PublishedVersion current = store.catalog().current();
                if (current.version() != 3) {
                    store.catalog().compareAndSet(current, new PublishedVersion(3, SeededCells.CUTS.get(3L)));
                }
                System.out.println("seeded keyspace " + settings.keyspace() + ", version 3 published");
                return;
            }

            Instant from = SeededCells.DAY;
            Instant to = SeededCells.DAY.plus(Duration.ofHours(24));
            String port = options.get("port");
            LoopbackHttpClient http = new LoopbackHttpClient(Integer.parseInt(port),
                    Integer.parseInt(options.getOrDefault("connections", "32")));
            List<String> keys = SeededCells.KEYS;
            List<byte[]> rest = keys.stream().map(key -> http.get("/api/v1/views/pageviews/series?key="
                    + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&from=" + from + "&to=" + to + "&granularity=hour",
                    TestApiKeys.HEADER, TestApiKeys.READ)).toList();
            String document = ApiClient.document("series").replace("\"", "\\\"").replace("\n", " ");
            List<byte[]> graphql = keys.stream().map(key -> http.postJson("/graphql", "{\"query\":\"" + document
                    + "\",\"variables\":" + "{\"view\":\"pageviews\",\"key\":\"" + key.replace("\\", "\\\\")
                    + "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"granularity\":\"HOUR\"}}",
                    TestApiKeys.HEADER, TestApiKeys.READ)).toList();
            for (int k = 0; k < keys.size(); k++) {
                checkSameAnswer(http, rest.get(k), graphql.get(k));
            }

            PreparedStatement point = session.prepare("SELECT value FROM " + settings.keyspace() + ".batch_cells "
                    + "WHERE view_name = ? AND version = ? AND granularity = ? AND view_key = ? AND bucket = ?");
            AtomicInteger next = new AtomicInteger();
            Supplier<CompletionStage<?>> cassandraRead = () -> session.executeAsync(point.bind("pageviews", 3L,
                    "HOUR", keys.get(Math.floorMod(next.getAndIncrement(), keys.size())),
                    SeededCells.DAY.plus(Duration.ofHours(9))));
            Supplier<CompletionStage<?>> restRead = () -> http.send(
                    rest.get(Math.floorMod(next.getAndIncrement(), keys.size()))).thenApply(QueryLoadBenchmark::ok);
            Supplier<CompletionStage<?>> graphqlRead = () -> http.send(
                    graphql.get(Math.floorMod(next.getAndIncrement(), keys.size()))).thenApply(QueryLoadBenchmark::ok);
            Map<String, Long> cpu = cpuPids(options.getOrDefault("cpu", ""));
            cpu.put("load generator", ProcessHandle.current().pid());

            System.out.printf(Locale.ROOT, "open loop at %d requests/s: %d s of REST and GraphQL alternating to warm up, "
                    + "then per phase %d s unmeasured + %d s measured%n", rate, warmup, phaseWarmup, seconds);
            AtomicInteger turn = new AtomicInteger();
            run(() -> (turn.getAndIncrement() % 2 == 0 ? restRead : graphqlRead).get(), rate, warmup, null,
                    new AtomicInteger());
            Figures raw = phase("cassandra point", cassandraRead, rate, phaseWarmup, seconds, cpu);
            System.out.println(raw);
            Figures restFigures = phase("rest series", restRead, rate, phaseWarmup, seconds, cpu);
            System.out.println(restFigures);
            Figures graphqlFigures = phase("graphql series", graphqlRead, rate, phaseWarmup, seconds, cpu);
            System.out.println(graphqlFigures);
            double restP50 = restFigures.p50();
            double restP99 = restFigures.p99();
            String against = "REST";
            if (Boolean.parseBoolean(options.getOrDefault("repeat-rest", "true"))) {
                // REST once more after GraphQL, so neither API benefits from running on a warmer (or a
                // quieter) machine alone: GraphQL is compared with the mean of the REST phases around it
                Figures again = phase("rest series (2)", restRead, rate, phaseWarmup, seconds, cpu);
                System.out.println(again);
                restP50 = (restP50 + again.p50()) / 2;
                restP99 = (restP99 + again.p99()) / 2;
                against = "REST (mean of both phases)";
            }
            System.out.printf(Locale.ROOT, "ratios: REST p99 / Cassandra point p99 = %.2f; GraphQL / %s: p50 %.2f, p99 %.2f%n",
                    restFigures.p99() / raw.p99(), against, graphqlFigures.p50() / restP50,
                    graphqlFigures.p99() / restP99);
            if (Boolean.parseBoolean(options.getOrDefault("interleaved", "true"))) {
                // Phases a minute apart also measure how the machine drifted between them (REST phases of
                // one run differ by up to 0.3 ms at p50). Requests alternating within one phase see the
                // same machine at the same moment: the ratio of this phase is the APIs' own difference.
                Figures[] both = interleaved(restRead, graphqlRead, rate, phaseWarmup, 2 * seconds);
                System.out.println(both[0]);
                System.out.println(both[1]);
                System.out.printf(Locale.ROOT, "interleaved ratios: GraphQL / REST p50 %.2f, p99 %.2f%n",
                        both[1].p50() / both[0].p50(), both[1].p99() / both[0].p99());
            }
            http.close();
        }
    }

    private static Object ok(LoopbackHttpClient.Response response) {
        if (response.status() != 200 || response.body().contains("\"errors\"")
                || response.body().contains("\"partial\":true")) {
            throw new IllegalStateException("unexpected answer " + response.status() + ": " + response.body());
        }
        return response;
    }

    private static void checkSameAnswer(LoopbackHttpClient http, byte[] rest, byte[] graphql) {
        String restBody = http.send(rest).join().body();
        String graphqlBody = http.send(graphql).join().body();
        if (!restBody.contains("\"points\"") || !graphqlBody.contains("\"points\"")) {
            throw new IllegalStateException("the service does not answer the question: " + restBody + " / " + graphqlBody);
        }
    }

    /** Sends {@code rate} requests per second, open loop; latencies from each request's due time. */
    static Figures phase(String name, Supplier<CompletionStage<?>> request, int rate, int warmup, int seconds,
                         Map<String, Long> cpuPids) {
        run(request, rate, warmup, null, new AtomicInteger());
        FIRST_FAILURE.set(null);
        int total = rate * seconds;
        AtomicLongArray latencies = new AtomicLongArray(total);
        AtomicInteger failed = new AtomicInteger();
        Map<String, Long> cpuBefore = cpuTicks(cpuPids);
        long[] boxBefore = boxTicks();
        run(request, rate, seconds, latencies, failed);
        Map<String, Long> cpuAfter = cpuTicks(cpuPids);
        long[] boxAfter = boxTicks();
        long[] sorted = new long[total];
        for (int i = 0; i < total; i++) {
            sorted[i] = latencies.get(i);
        }
        Arrays.sort(sorted);
        StringBuilder cpu = new StringBuilder();
        cpuAfter.forEach((process, ticks) -> cpu.append(cpu.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                "%s %.3f ms", process, (ticks - cpuBefore.get(process)) * 1000.0 / CLOCK_TICKS / total)));
        if (boxBefore.length == 2 && boxAfter.length == 2) {
            // what the whole machine did meanwhile: busy cores, and how much of that was not this run
            double elapsed = (boxAfter[1] - boxBefore[1]) / (double) Runtime.getRuntime().availableProcessors();
            double busy = (boxAfter[0] - boxBefore[0]) / elapsed;
            long ours = 0;
            for (Map.Entry<String, Long> process : cpuAfter.entrySet()) {
                ours += process.getValue() - cpuBefore.get(process.getKey());
            }
            // in some sandboxes /proc/stat counts less than the processes' own ticks: then it says nothing
            cpu.append(busy >= ours / elapsed
                    ? String.format(Locale.ROOT, "\n    machine: %.2f of %d cores busy, %.2f of them other processes; load average %s",
                            busy, Runtime.getRuntime().availableProcessors(), busy - ours / elapsed, loadAverage())
                    : String.format(Locale.ROOT, "\n    machine: /proc/stat counts less CPU than these processes used "
                            + "(not shown); load average %s", loadAverage()));
        }
        return new Figures(name, total, failed.get(), ms(sorted, 0.50), ms(sorted, 0.99), ms(sorted, 0.999),
                sorted[total - 1] / 1e6, FIRST_FAILURE.get(), cpu.toString());
    }

    /**
     * One phase of {@code rate} requests/s in all, REST and GraphQL alternating request by request;
     * the figures of each API from its own requests (half the rate each).
     */
    static Figures[] interleaved(Supplier<CompletionStage<?>> rest, Supplier<CompletionStage<?>> graphql, int rate,
                                 int warmup, int seconds) {
        AtomicInteger turn = new AtomicInteger();
        Supplier<CompletionStage<?>> alternating = () -> (turn.getAndIncrement() % 2 == 0 ? rest : graphql).get();
        run(alternating, rate, warmup, null, new AtomicInteger());
        FIRST_FAILURE.set(null);
        int total = rate * seconds;
        AtomicLongArray latencies = new AtomicLongArray(total);
        AtomicInteger failed = new AtomicInteger();
        AtomicIntegerArray failedAt = new AtomicIntegerArray(total);
        turn.set(0); // request i of the measured run is REST when i is even
        run(alternating, rate, seconds, latencies, failed, failedAt);
        Figures[] figures = new Figures[2];
        String[] names = {"rest, alternated", "graphql, altern."};
        for (int api = 0; api < 2; api++) {
            long[] sorted = new long[total / 2];
            int apiFailed = 0;
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = latencies.get(2 * i + api);
                apiFailed += failedAt.get(2 * i + api);
            }
            Arrays.sort(sorted);
            figures[api] = new Figures(names[api], sorted.length, apiFailed, ms(sorted, 0.50),
                    ms(sorted, 0.99), ms(sorted, 0.999), sorted[sorted.length - 1] / 1e6,
                    apiFailed > 0 ? FIRST_FAILURE.get() : null, "");
        }
        return figures;
    }

    /** Busy and total CPU ticks of the machine (all cores) from /proc/stat, or nothing where it cannot be read. */
    private static long[] boxTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= Math.min(8, fields.length - 1); i++) { // user..steal; guest is inside user already
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle + iowait
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Linux USER_HZ: /proc/PID/stat counts CPU time in these. */
    private static final int CLOCK_TICKS = 100;

    private static Map<String, Long> cpuPids(String option) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String entry : option.split(",")) {
            if (!entry.isBlank()) {
                String[] nameAndPid = entry.split(":", 2);
                pids.put(nameAndPid[0], Long.parseLong(nameAndPid[1].strip()));
            }
        }
        return pids;
    }

    /** User + system CPU ticks of each process so far, from /proc/PID/stat (fields 14 and 15). */
    private static Map<String, Long> cpuTicks(Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the CPU time of " + name + " (pid " + pid + ")", e);
            }
        });
        return ticks;
    }

    private static void run(Supplier<CompletionStage<?>> request, int rate, int seconds, AtomicLongArray latencies,
                            AtomicInteger failed) {
        run(request, rate, seconds, latencies, failed, null);
    }

    private static void run(Supplier<CompletionStage<?>> request, int rate, int seconds, AtomicLongArray latencies,
                            AtomicInteger failed, AtomicIntegerArray failedAt) {
        int total = rate * seconds;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        CompletableFuture<?>[] inFlight = new CompletableFuture<?>[total];
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            inFlight[i] = request.get().toCompletableFuture().whenComplete((result, error) -> {
                if (latencies != null) {
                    latencies.set(index, System.nanoTime() - due);
                }
                if (error != null) {
                    failed.incrementAndGet();
                    if (failedAt != null) {
                        failedAt.set(index, 1);
                    }
                    String message = String.valueOf(error.getCause() != null ? error.getCause() : error);
                    FIRST_FAILURE.compareAndSet(null, message.substring(0, Math.min(400, message.length())));
                }
            });
        }
        CompletableFuture.allOf(inFlight).exceptionally(e -> null).join();
    }

    private static double ms(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
