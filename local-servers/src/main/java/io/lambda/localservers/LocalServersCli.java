package io.lambda.localservers;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Java half of ./lambda: {@code up}, {@code servers}, {@code down}, {@code status} for a layout
 * ({@code --layout stack}, the default, or {@code --layout test}).
 */
public final class LocalServersCli {

    private LocalServersCli() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        String command = args.length == 0 ? "help" : args[0];
        String layoutName = option(args, "--layout").orElse("stack");
        ProjectHome home = ProjectHome.locate();
        StackLayout layout = switch (layoutName) {
            case "stack" -> StackLayout.stack(home);
            case "test" -> StackLayout.test(home);
            default -> throw new IllegalArgumentException("--layout is 'stack' or 'test', not '" + layoutName + "'");
        };
        LocalStack stack = new LocalStack(home, layout);
        long started = System.nanoTime();
        try {
            switch (command) {
                case "servers" -> stack.startServers(line -> out.println("  " + line));
                case "up" -> {
                    stack.startServers(line -> out.println("  " + line));
                    stack.startServices(Map.of(), line -> out.println("  " + line));
                    if (List.of(args).contains("--with-prometheus")) {
                        startPrometheus(stack);
                        out.println("  Prometheus is ready on " + stack.prometheus().baseUrl());
                    }
                    out.printf("  all healthy after %.1f s%n%n", (System.nanoTime() - started) / 1e9);
                    printStatus(stack, out);
                    StackApiKey key = StackApiKey.of(layout);
                    String query = stack.service("query-service").baseUrl();
                    out.printf("%nAPI key (scopes ingest, read, admin; kept in %s):%n  %s%n"
                            + "  curl -H 'X-API-Key: %s' '%s/api/v1/freshness'%n"
                            + "%nLive dashboard (sign in with the key): %s/%nGraphiQL: %s/graphiql%n",
                            home.root().relativize(key.file()), key.key(), key.key(), query, query, query);
                }
                case "down" -> {
                    List<String> stopped = stack.stopAll();
                    out.println(stopped.isEmpty() ? "nothing of ours was running" : "stopped " + String.join(", ", stopped));
                }
                case "status" -> printStatus(stack, out);
                default -> {
                    out.println("usage: LocalServersCli up [--with-prometheus]|servers|down|status [--layout stack|test]");
                    System.exit(command.equals("help") ? 0 : 2);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void startPrometheus(LocalStack stack) {
        try {
            stack.prometheus().start(java.time.Duration.ofSeconds(60));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void printStatus(LocalStack stack, PrintStream out) {
        StackLayout layout = stack.layout();
        out.printf("%-15s %-8s %-24s %s%n", "WHAT", "PID", "WHERE", "HEALTH");
        row(out, "kafka", stack.kafka().process(), layout.kafkaBootstrapServers(),
                stack.kafka().isRunning() ? (stack.kafka().isReady() ? "ready" : "not ready") : "stopped");
        row(out, "cassandra", stack.cassandra().process(), layout.cassandraContactPoint(),
                stack.cassandra().isRunning() ? (stack.cassandra().isReady() ? "ready" : "not ready") : "stopped");
        for (ServiceProcess service : stack.services()) {
            row(out, service.module(), service.process(), service.baseUrl(),
                    service.isRunning() ? (service.isReady() ? "ready" : "not ready") : "stopped");
        }
        if (stack.prometheus().isRunning()) {
            row(out, "prometheus", stack.prometheus().process(), stack.prometheus().baseUrl(),
                    stack.prometheus().isReady() ? "ready" : "not ready");
        }
    }

    private static void row(PrintStream out, String name, ManagedProcess process, String where, String health) {
        String pid = process.running().map(p -> Long.toString(p.pid())).orElse("-");
        out.printf("%-15s %-8s %-24s %s%n", name, pid, where, health);
    }

    private static Optional<String> option(String[] args, String name) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Optional.of(args[i + 1]);
            }
        }
        return Optional.empty();
    }
}
