package io.lambda.localservers.demo;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./lambda demo}: sends {@link DemoWorkload} traffic through the public ingest API at a
 * steady rate until stopped, with a progress line every few seconds. The key with scope
 * {@code ingest} comes from {@code LAMBDA_API_KEY}.
 */
public final class DemoTraffic {

    private DemoTraffic() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        String url = "http://127.0.0.1:8081";
        int rate = 200;
        long seed = System.nanoTime();
        Duration duration = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--duration" -> duration = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "-h", "--help" -> {
                    out.println("usage: ./lambda demo [--rate EVENTS_PER_SECOND] [--seed N] [--duration SECONDS]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + "; see ./lambda demo --help");
                    System.exit(2);
                }
            }
        }
        if (rate < 1 || rate > 100_000) {
            System.err.println("--rate is between 1 and 100000 events per second");
            System.exit(2);
        }
        // from the environment, not an argument: other users can read a process's arguments, not its environment
        String apiKey = System.getenv("LAMBDA_API_KEY");
        if (apiKey == null || apiKey.isBlank()) {
            System.err.println("no API key: set LAMBDA_API_KEY (./lambda demo reads the one ./lambda up made)");
            System.exit(2);
        }
        DemoWorkload workload = new DemoWorkload(seed, 300, 5000, 0.03, 0.02);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI events = URI.create(url + "/api/v1/events");
        AtomicBoolean running = new AtomicBoolean(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.set(false)));

        out.printf("sending demo events to %s at %d/s (seed %d); Ctrl-C stops%n", events, rate, seed);
        long start = System.nanoTime();
        long sent = 0;
        long late = 0;
        long duplicates = 0;
        long failedRequests = 0;
        long nextReport = start + 5_000_000_000L;
        int tickMillis = 100;
        double perTick = rate * tickMillis / 1000.0;
        double owed = 0;
        while (running.get() && (duration == null || System.nanoTime() - start < duration.toNanos())) {
            long tickStart = System.nanoTime();
            owed += perTick;
            int count = (int) owed;
            owed -= count;
            if (count > 0) {
                List<String> batch = new ArrayList<>(count);
                Instant now = Instant.now();
                for (int i = 0; i < count; i++) {
                    DemoWorkload.DemoEvent event = workload.next(now);
                    batch.add(event.json());
                    late += event.late() ? 1 : 0;
                    duplicates += event.duplicate() ? 1 : 0;
                }
                for (int from = 0; from < batch.size(); from += 1000) {
                    List<String> part = batch.subList(from, Math.min(batch.size(), from + 1000));
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(events)
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .header("X-API-Key", apiKey.strip())
                                .POST(HttpRequest.BodyPublishers.ofString("[" + String.join(",", part) + "]"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 202) {
                            sent += part.size();
                        } else {
                            failedRequests++;
                            System.err.println("ingest answered " + response.statusCode() + ": " + response.body());
                        }
                    } catch (java.io.IOException e) {
                        failedRequests++;
                        System.err.println("ingest unreachable at " + events + ": " + e.getMessage());
                    }
                }
            }
            if (System.nanoTime() >= nextReport) {
                double seconds = (System.nanoTime() - start) / 1e9;
                out.printf("%6.0f s  accepted %,d events (%.0f/s)  late %,d  duplicates %,d  failed requests %d%n",
                        seconds, sent, sent / seconds, late, duplicates, failedRequests);
                nextReport += 5_000_000_000L;
            }
            long sleep = tickMillis - (System.nanoTime() - tickStart) / 1_000_000;
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
        }
        out.printf("stopped: accepted %,d events%n", sent);
    }
}
