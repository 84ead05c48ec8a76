package io.lambda.localservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The whole local stack of one layout: Kafka and Cassandra, then the four services. Used by
 * ./lambda (through {@link LocalServersCli}) and by the tests, so both run on the same real servers.
 */
public final class LocalStack {

    private final StackLayout layout;
    private final KafkaServer kafka;
    private final CassandraServer cassandra;
    private final PrometheusServer prometheus;
    private final List<ServiceProcess> services = new ArrayList<>();

    public LocalStack(ProjectHome home, StackLayout layout) {
        this.layout = layout;
        this.kafka = new KafkaServer(home, layout);
        this.cassandra = new CassandraServer(home, layout);
        this.prometheus = new PrometheusServer(layout, layout.prometheusPort());
        layout.servicePorts().keySet().forEach(module -> services.add(new ServiceProcess(home, layout, module)));
    }

    public StackLayout layout() {
        return layout;
    }

    public KafkaServer kafka() {
        return kafka;
    }

    public CassandraServer cassandra() {
        return cassandra;
    }

    public PrometheusServer prometheus() {
        return prometheus;
    }

    public List<ServiceProcess> services() {
        return List.copyOf(services);
    }

    public ServiceProcess service(String module) {
        return services.stream().filter(s -> s.module().equals(module)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown service '" + module + "'"));
    }

    /** Starts Kafka and Cassandra side by side (or reuses ours if they already run). */
    public void startServers(Consumer<String> progress) {
        progress.accept("starting Kafka (" + layout.kafkaBootstrapServers() + ") and Cassandra ("
                + layout.cassandraContactPoint() + ")");
        CompletableFuture<Void> kafkaUp = CompletableFuture.runAsync(() -> {
            start(() -> kafka.start(Duration.ofMinutes(3)));
            progress.accept("Kafka is ready");
        });
        CompletableFuture<Void> cassandraUp = CompletableFuture.runAsync(() -> {
            start(() -> cassandra.start(Duration.ofMinutes(4)));
            progress.accept("Cassandra is ready");
        });
        try {
            CompletableFuture.allOf(kafkaUp, cassandraUp).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Starts the four services in order and waits until each is ready. */
    public void startServices(Map<String, String> properties, Consumer<String> progress) {
        for (ServiceProcess service : services) {
            start(() -> service.start(properties));
        }
        for (ServiceProcess service : services) {
            service.awaitReady(Duration.ofMinutes(3));
            progress.accept(service.module() + " is ready on " + service.baseUrl());
        }
    }

    /** Stops services first, then the servers: everything this layout started, nothing else. */
    public List<String> stopAll() {
        List<String> stopped = new ArrayList<>();
        if (prometheus.stop()) {
            stopped.add("prometheus");
        }
        List<ServiceProcess> reverseStartOrder = new ArrayList<>(services);
        java.util.Collections.reverse(reverseStartOrder);
        for (ServiceProcess service : reverseStartOrder) {
            if (service.stop()) {
                stopped.add(service.module());
            }
        }
        if (kafka.stop()) {
            stopped.add("kafka");
        }
        if (cassandra.stop()) {
            stopped.add("cassandra");
        }
        return stopped;
    }

    private interface Start {
        void run() throws IOException;
    }

    private static void start(Start start) {
        try {
            start.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
