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
 */
public final class ServiceProcess {

    /** The property that names a service's state folder, for the services that keep files. */
    private static final Map<String, String> STATE_DIR_PROPERTIES = Map.of("batch-service", "lambda.batch.data-dir",
            "speed-service", "lambda.speed.state-dir");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final ProjectHome home;
    private final StackLayout layout;
    private final String module;
    private final ManagedProcess process;

    public ServiceProcess(ProjectHome home, StackLayout layout, String module) {
        this.home = home;
        this.layout = layout;
        this.module = module;
        this.process = new ManagedProcess(layout, module);
    }

    public String module() {
        return module;
    }

    public int port() {
        return layout.servicePort(module);
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
            throw new IllegalStateException("No jar for " + module + " at " + jar() + "; build it first: "
                    + "./mvnw -DskipTests package");
        }
        ManagedProcess.requireFree("the " + module, port());
        List<String> command = new ArrayList<>();
        command.add(ManagedProcess.javaHomeExecutable().toString());
        command.add(process.jvmMarker());
        String javaOpts = System.getenv().getOrDefault("LAMBDA_SERVICE_JAVA_OPTS",
                "-Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k");
        command.addAll(List.of(javaOpts.trim().split("\\s+")));
        command.add("-jar");
        command.add(jar().toString());
        arguments(properties).forEach((key, value) -> command.add("--" + key + "=" + value));
        process.start(command, home.root());
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
        arguments.putAll(StackApiKey.of(layout).serviceProperties()); // security is on: the layout's key opens every scope
        if (module.equals("query-service")) {
            // engine streams: query-service reads speed cells from this layout's speed-service, with the layout's key
            arguments.put("lambda.query.speed.url", "http://127.0.0.1:" + layout.servicePort("speed-service"));
            arguments.put("lambda.query.speed.api-key", StackApiKey.of(layout).key());
        }
        arguments.putAll(properties); // a repeated argument would be joined with a comma, so override here
        return arguments;
    }

    /** Where this service keeps state of its own in this layout (e.g. .lambda/stack/batch-service). */
    public Path stateDir() {
        return layout.stateDir().toAbsolutePath().normalize().resolve(module);
    }

    public void awaitReady(Duration timeout) {
        process.awaitReady(module, this::isReady, timeout);
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
