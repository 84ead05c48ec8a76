package io.lambda.localservers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of the four Spring Boot services, run from its executable jar as its own JVM, pointed at the
 * stack's Kafka and Cassandra. Ready means its readiness probe answers 200.
 *
 * <p>A layout runs instance 0 of each service; tests may add further instances of one (speed-service's
 * scaling and failover): instance {@code i} listens {@code i × 100} ports above the layout's port and has
 * a pid file, log and state folder of its own ({@code speed-service-1}, ...).
 */
public final class ServiceProcess {

    /** The property that names a service's state folder, for the services that keep files. */
    private static final Map<String, String> STATE_DIR_PROPERTIES = Map.of("batch-service", "lambda.batch.data-dir",
            "speed-service", "lambda.speed.state-dir");

    /** Instance {@code i} of a service listens this many ports times {@code i} above the layout's port. */
    static final int INSTANCE_PORT_STEP = 100;

    /** Layouts whose services run for long under load (see {@link #defaultJavaOptions}). */
    private static final java.util.Set<String> LONG_RUNNING_LAYOUTS = java.util.Set.of("stack", "stack-bench");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final ProjectHome home;
    private final StackLayout layout;
    private final String module;
    private final int instance;
    private final ManagedProcess process;

    public ServiceProcess(ProjectHome home, StackLayout layout, String module) {
        this(home, layout, module, 0);
    }

    /** Instance {@code instance} of {@code module} in {@code layout}; 0 is the layout's own. */
    public ServiceProcess(ProjectHome home, StackLayout layout, String module, int instance) {
        if (instance < 0 || instance > 9) {
            throw new IllegalArgumentException("instance must be 0-9, not " + instance);
        }
        layout.servicePort(module); // an unknown module fails here
        this.home = home;
        this.layout = layout;
        this.module = module;
        this.instance = instance;
        this.process = new ManagedProcess(layout, name());
    }

    public String module() {
        return module;
    }

    public int instance() {
        return instance;
    }

    /** The module for instance 0, else the module and the instance ({@code speed-service-2}): pid file, log, marker. */
    public String name() {
        return instance == 0 ? module : module + "-" + instance;
    }

    public int port() {
        return layout.servicePort(module) + INSTANCE_PORT_STEP * instance;
    }

    public Path jar() {
        return home.root().resolve(module).resolve("target").resolve(module + ".jar");
    }

    ManagedProcess process() {
        return process;
    }

    /** Where the service's output goes (appended across restarts). */
    public Path logFile() {
        return process.logFile();
    }

    /**
     * Starts the service unless ours already runs. {@code properties} are passed as
     * {@code --key=value} arguments (tests use them for a keyspace and topic of their own).
     */
    public void start(Map<String, String> properties) throws IOException {
        if (process.running().isPresent()) {
            return;
        }
        if (!Files.isRegularFile(jar())) {
            throw new IllegalStateException("No jar for " + name() + " at " + jar() + "; build it first: "
                    + "./mvnw -DskipTests package");
        }
        ManagedProcess.requireFree("the " + name(), port());
        List<String> command = new ArrayList<>();
        command.add(ManagedProcess.javaHomeExecutable().toString());
        command.add(process.jvmMarker());
        String javaOpts = System.getenv().getOrDefault("LAMBDA_SERVICE_JAVA_OPTS", defaultJavaOptions(layout));
        command.addAll(List.of(javaOpts.trim().split("\\s+")));
        command.add("-jar");
        command.add(jar().toString());
        arguments(properties).forEach((key, value) -> command.add("--" + key + "=" + value));
        process.start(command, home.root());
    }

    /**
     * Tests start and stop stacks many times on 2 cores and send little: the C1 compiler alone starts a
     * service with the least CPU. The stack of {@code ./lambda up} (and the benchmark that measures it) runs
     * for hours under whatever a user sends: there the C2 compiler's code costs the speed layer less than
     * half the CPU per event (docs/performance.md, "Whole stack"), worth its few seconds more at start.
     */
    static String defaultJavaOptions(StackLayout layout) {
        boolean longRunning = LONG_RUNNING_LAYOUTS.contains(layout.name());
        return "-Xms64m -Xmx384m -XX:+UseSerialGC" + (longRunning ? "" : " -XX:TieredStopAtLevel=1") + " -Xss512k";
    }

    /**
     * The service's {@code --key=value} arguments: the layout's servers, port and key, and every
     * state folder as an absolute path under the layout's state folder (so nothing depends on the
     * working directory), then {@code properties} on top.
     */
    Map<String, String> arguments(Map<String, String> properties) {
        Map<String, String> arguments = new java.util.LinkedHashMap<>();
        arguments.put("server.port", Integer.toString(port()));
        arguments.put("spring.kafka.bootstrap-servers", layout.kafkaBootstrapServers());
        arguments.put("spring.cassandra.contact-points", layout.cassandraContactPoint());
        arguments.put("spring.cassandra.local-datacenter", CassandraServer.DATACENTER);
        String stateProperty = STATE_DIR_PROPERTIES.get(module);
        if (stateProperty != null) {
            arguments.put(stateProperty, stateDir().toString());
        }
        if (module.equals("speed-service")) {
            // engine streams: a static member of its own (HOSTNAME may be unset, or the same for every instance here)
            arguments.put("lambda.speed.streams.instance-id", layout.name() + "-" + name());
        }
        arguments.putAll(StackApiKey.of(layout).serviceProperties()); // security is on: the layout's key opens every scope
        if (module.equals("query-service")) {
            // engine streams: query-service reads speed cells from this layout's speed-service, with the layout's key
            arguments.put("lambda.query.speed.url", "http://127.0.0.1:" + layout.servicePort("speed-service"));
            arguments.put("lambda.query.speed.api-key", StackApiKey.of(layout).key());
        }
        arguments.putAll(properties); // a repeated argument would be joined with a comma, so override here
        return arguments;
    }

    /** Where this service keeps state of its own in this layout (e.g. .lambda/stack/batch-service, speed-service-1). */
    public Path stateDir() {
        return layout.stateDir().toAbsolutePath().normalize().resolve(name());
    }

    public void awaitReady(Duration timeout) {
        process.awaitReady(name(), this::isReady, timeout);
    }

    public boolean isReady() {
        return status("/actuator/health/readiness") == 200;
    }

    public boolean isRunning() {
        return process.running().isPresent();
    }

    public boolean stop() {
        return process.stop(Duration.ofSeconds(20));
    }

    /** Kills the service at once (SIGKILL), as a crash would: for fault-injection tests. */
    public void kill() {
        process.kill();
    }

    /**
     * Freezes the service (SIGSTOP to its recorded pid), as a long GC pause or a stalled VM would; whether
     * it was running. It stays frozen until {@link #resume}; {@link #stop} resumes it first.
     */
    public boolean pause() {
        return process.signal("STOP");
    }

    /** Lets a {@link #pause paused} service go on (SIGCONT); whether it was running. */
    public boolean resume() {
        return process.signal("CONT");
    }

    /** The key this service accepts for every scope (the layout's {@link StackApiKey}). */
    public String apiKey() {
        return StackApiKey.of(layout).key();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    private int status(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
