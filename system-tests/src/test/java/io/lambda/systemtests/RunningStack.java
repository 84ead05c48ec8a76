package io.lambda.systemtests;

import io.lambda.localservers.LocalStack;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.ServiceProcess;
import io.lambda.localservers.StackLayout;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The four services as separate processes (their jars), on the test layout's ports, against the
 * real servers of {@link RealServers}. Each stack gets a keyspace, a topic and consumer groups of
 * its own, so runs never see each other's data.
 */
final class RunningStack implements AutoCloseable {

    final String runId = "st" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    final String topic = "lambda.events." + runId;
    final Duration epochLength;
    private final LocalStack stack;
    private final Map<String, Map<String, String>> arguments = new LinkedHashMap<>();

    RunningStack(Duration epochLength) {
        this(epochLength, StackLayout.test(ProjectHome.locate()), Map.of());
    }

    /**
     * The services on {@code layout}'s ports and in its state folder (a test that runs beside others
     * takes a layout of its own), with {@code extraProperties} on top of the run's own.
     */
    RunningStack(Duration epochLength, StackLayout layout, Map<String, String> extraProperties) {
        this.epochLength = epochLength;
        RealServers servers = RealServers.get();
        ProjectHome home = ProjectHome.locate();
        this.stack = new LocalStack(home, layout);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", servers.kafkaBootstrapServers());
        properties.put("spring.cassandra.contact-points", servers.cassandraContactPoint());
        properties.put("spring.cassandra.local-datacenter", servers.cassandraDatacenter());
        properties.put("lambda.store.keyspace", runId);
        properties.put("lambda.events.topic", topic);
        properties.put("lambda.events.epoch-length", epochLength.toSeconds() + "s");
        properties.put("lambda.ingest.topic.name", topic);
        // the batch JobRepository of this run only: earlier runs' job instances stay out of it
        properties.put("lambda.batch.data-dir", layout.stateDir().resolve("batch-" + runId).toString());
        properties.put("spring.kafka.consumer.group-id", runId); // overridden per service below
        properties.putAll(extraProperties);
        try {
            for (ServiceProcess service : stack.services()) {
                Map<String, String> own = new LinkedHashMap<>(properties);
                own.put("spring.kafka.consumer.group-id", runId + "-" + service.module());
                arguments.put(service.module(), own);
                service.start(own);
            }
            for (ServiceProcess service : stack.services()) {
                service.awaitReady(Duration.ofMinutes(3));
            }
        } catch (Exception e) {
            close();
            throw new IllegalStateException("The stack did not start: " + e.getMessage(), e);
        }
    }

    ServiceProcess service(String module) {
        return stack.service(module);
    }

    /** Starts a service again with the arguments it had (after a kill) and waits until it is ready. */
    void restart(String module) throws java.io.IOException {
        ServiceProcess service = service(module);
        service.stop();
        service.start(arguments.get(module));
        service.awaitReady(Duration.ofMinutes(3));
    }

    StackLayout layout() {
        return stack.layout();
    }

    String url(String module, String path) {
        return service(module).baseUrl() + path;
    }

    @Override
    public void close() {
        for (ServiceProcess service : stack.services()) {
            service.stop();
        }
    }
}
