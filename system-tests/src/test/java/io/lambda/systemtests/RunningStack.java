package io.lambda.systemtests;

import io.lambda.localservers.CassandraServer;
import io.lambda.localservers.KafkaServer;
import io.lambda.localservers.LocalStack;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.ServiceProcess;
import io.lambda.localservers.StackApiKey;
import io.lambda.localservers.StackLayout;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The four services as separate processes (their jars), with a keyspace, a topic and consumer
 * groups of their own, so runs never see each other's data. Either on the test layout's ports
 * against the shared real servers of {@link RealServers} ({@link #onSharedServers}), or, for
 * scenarios that break a server, on a layout of their own with a Kafka and a Cassandra that only
 * they use ({@link #onOwnServers}): the shared servers are never stopped.
 */
final class RunningStack implements AutoCloseable {

    /**
     * Ports and state folder of the stack whose servers the fault scenarios stop and kill. All below
     * Linux's ephemeral range (32768-60999): a server restarted mid-test would otherwise find its
     * port taken by some outgoing connection's local port (a CI run failed so on the storage port 37000).
     */
    static StackLayout faultsLayout(ProjectHome home) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("ingest-service", 25081);
        ports.put("speed-service", 25082);
        ports.put("batch-service", 25083);
        ports.put("query-service", 25080);
        return new StackLayout("system-faults", home.stateDir().resolve("system-faults"), 25092, 25093, 25042, 25000,
                ports);
    }

    final String runId = "st" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    final String topic = "lambda.events." + runId;
    private final LocalStack stack;
    private final boolean ownServers;
    private final String kafkaBootstrapServers;
    private final Map<String, Map<String, String>> arguments = new LinkedHashMap<>();
    private final ProjectHome home;
    /** Further instances of speed-service (1, 2, ...), started by {@link #startSpeed}; instance 0 is the stack's own. */
    private final Map<Integer, ServiceProcess> extraSpeed = new java.util.TreeMap<>();

    /** The test layout (ports 18080-18083) on the shared Kafka and Cassandra. */
    static RunningStack onSharedServers(Duration epochLength) {
        return onSharedServers(epochLength, StackLayout.test(ProjectHome.locate()), Map.of());
    }

    /**
     * The services on {@code layout}'s ports and in its state folder (a test that runs beside others
     * takes a layout of its own), on the shared servers, with {@code extraProperties} on top of the run's own.
     */
    static RunningStack onSharedServers(Duration epochLength, StackLayout layout, Map<String, String> extraProperties) {
        RealServers servers = RealServers.get();
        return new RunningStack(ProjectHome.locate(), layout, false, servers.kafkaBootstrapServers(),
                servers.cassandraContactPoint(), servers.cassandraDatacenter(), epochLength, extraProperties);
    }

    /** {@link #faultsLayout}: its own Kafka (25092) and Cassandra (25042), started here and stopped on close. */
    static RunningStack onOwnServers(Duration epochLength) {
        return onOwnServers(epochLength, faultsLayout(ProjectHome.locate()), Map.of());
    }

    /** On {@code layout} with a Kafka and a Cassandra of its own, and {@code extraProperties} on top of the run's own. */
    static RunningStack onOwnServers(Duration epochLength, StackLayout layout, Map<String, String> extraProperties) {
        return new RunningStack(ProjectHome.locate(), layout, true, layout.kafkaBootstrapServers(),
                layout.cassandraContactPoint(), CassandraServer.DATACENTER, epochLength, extraProperties);
    }

    private RunningStack(ProjectHome home, StackLayout layout, boolean ownServers, String kafka, String cassandra,
                         String datacenter, Duration epochLength, Map<String, String> extraProperties) {
        this.stack = new LocalStack(home, layout);
        this.home = home;
        this.ownServers = ownServers;
        this.kafkaBootstrapServers = kafka;
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", kafka);
        properties.put("spring.cassandra.contact-points", cassandra);
        properties.put("spring.cassandra.local-datacenter", datacenter);
        properties.put("lambda.store.keyspace", runId);
        properties.put("lambda.events.topic", topic);
        properties.put("lambda.events.epoch-length", epochLength.toSeconds() + "s");
        properties.put("lambda.ingest.topic.name", topic);
        // the batch JobRepository of this run only: earlier runs' job instances stay out of it
        properties.put("lambda.batch.data-dir", layout.stateDir().resolve("batch-" + runId).toString());
        properties.put("lambda.batch.instance-id", runId); // a restarted batch-service takes its lease back at once
        // engine streams: stores and changelog topics of this run only (an earlier run's would be restored into it)
        properties.put("lambda.speed.streams.application-id", runId + "-speed");
        properties.put("lambda.speed.state-dir", layout.stateDir().resolve("speed-" + runId).toString());
        // runs start when a test asks: a scheduled one would answer the test's request with 409
        properties.put("lambda.batch.schedule.enabled", "false");
        properties.putAll(extraProperties);
        try {
            if (ownServers) {
                stack.startServers(progress -> { });
            }
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
    void restart(String module) throws IOException {
        ServiceProcess service = service(module);
        service.stop();
        service.start(arguments.get(module));
        service.awaitReady(Duration.ofMinutes(3));
    }

    /**
     * Instance {@code index} of speed-service: 0 is the stack's own (the one query-service reads from),
     * the others are those {@link #startSpeed} added.
     */
    ServiceProcess speed(int index) {
        if (index == 0) {
            return service("speed-service");
        }
        ServiceProcess instance;
        synchronized (arguments) {
            instance = extraSpeed.get(index);
        }
        if (instance == null) {
            throw new IllegalArgumentException("speed-service instance " + index + " was never started here");
        }
        return instance;
    }

    /**
     * Starts instance {@code index} (1-9) of speed-service, or starts it again after a kill or stop, with
     * speed-service's arguments (same application id: a member of the same Kafka Streams group), a state
     * folder of its own and {@code extraProperties} on top; waits until it is ready. Its port, pid file, log
     * and static member id are its own ({@link ServiceProcess}).
     */
    ServiceProcess startSpeed(int index, Map<String, String> extraProperties) throws IOException {
        if (index == 0) {
            throw new IllegalArgumentException("instance 0 is the stack's own: use restart(\"speed-service\")");
        }
        ServiceProcess instance;
        Map<String, String> own;
        synchronized (arguments) { // tests start and restart instances side by side
            instance = extraSpeed.computeIfAbsent(index, i -> new ServiceProcess(home, stack.layout(), "speed-service", i));
            own = arguments.computeIfAbsent(instance.name(), name -> {
                Map<String, String> first = speedArguments(index);
                first.putAll(extraProperties);
                return first;
            });
        }
        instance.start(own);
        instance.awaitReady(Duration.ofMinutes(3));
        return instance;
    }

    /** Instance {@code index} of speed-service started again with the arguments it had, after a kill or stop. */
    void restartSpeed(int index) throws IOException {
        if (index == 0) {
            restart("speed-service");
            return;
        }
        ServiceProcess instance;
        Map<String, String> own;
        synchronized (arguments) {
            instance = speed(index);
            own = arguments.get(instance.name());
        }
        instance.stop();
        instance.start(own);
        instance.awaitReady(Duration.ofMinutes(3));
    }

    private Map<String, String> speedArguments(int index) {
        Map<String, String> own = new LinkedHashMap<>(arguments.get("speed-service"));
        own.put("lambda.speed.state-dir", stack.layout().stateDir().resolve("speed-" + runId + "-" + index).toString());
        return own;
    }

    /** This stack's own broker; only {@link #onOwnServers} stacks may stop or kill it. */
    KafkaServer ownKafka() {
        requireOwnServers();
        return stack.kafka();
    }

    /** This stack's own Cassandra; only {@link #onOwnServers} stacks may stop it. */
    CassandraServer ownCassandra() {
        requireOwnServers();
        return stack.cassandra();
    }

    String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    /** The key the services of this stack accept for every scope (made on first use in its state folder). */
    String apiKey() {
        return StackApiKey.of(stack.layout()).key();
    }

    StackLayout layout() {
        return stack.layout();
    }

    String url(String module, String path) {
        return service(module).baseUrl() + path;
    }

    private void requireOwnServers() {
        if (!ownServers) {
            throw new IllegalStateException("the shared servers are never stopped: use RunningStack.onOwnServers");
        }
    }

    @Override
    public void close() {
        synchronized (arguments) {
            extraSpeed.values().forEach(ServiceProcess::stop); // a paused one is resumed first, then stopped
        }
        if (ownServers) {
            stack.stopAll(); // services first, then this stack's own servers
            return;
        }
        for (ServiceProcess service : stack.services()) {
            service.stop();
        }
    }
}
