package io.lambda.localservers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A single-node Kafka in KRaft mode (combined broker and controller), run from the
 * {@code kafka_2.13} jars of Maven Central as its own JVM.
 */
public final class KafkaServer {

    static final String VERSION = System.getProperty("lambda.kafka.version", "4.1.2");
    private static final List<ServerClasspath.Artifact> ARTIFACTS = List.of(
            ServerClasspath.Artifact.of("org.apache.kafka:kafka_2.13:" + VERSION),
            // the kafka pom brings slf4j 1.7 without a binding: without one it logs nothing
            ServerClasspath.Artifact.of("org.apache.logging.log4j:log4j-slf4j-impl:2.24.3"),
            ServerClasspath.Artifact.of("org.apache.logging.log4j:log4j-core:2.24.3"));
    private static final String CLUSTER_ID = "bGFtYmRhLWxvY2FsLWthZg"; // fixed: one local cluster per folder

    private final ProjectHome home;
    private final StackLayout layout;
    private final ManagedProcess process;
    private final Path dir;

    public KafkaServer(ProjectHome home, StackLayout layout) {
        this.home = home;
        this.layout = layout;
        this.process = new ManagedProcess(layout, "kafka");
        this.dir = layout.stateDir().resolve("kafka");
    }

    ManagedProcess process() {
        return process;
    }

    /** Starts Kafka unless ours already runs; returns once a topic can be created. */
    public void start(Duration timeout) throws IOException {
        if (process.running().isPresent()) {
            awaitReady(timeout);
            return;
        }
        ManagedProcess.requireFree("a Kafka", layout.kafkaPort(), layout.kafkaControllerPort());
        String classpath = ServerClasspath.resolve(home, "kafka-" + VERSION, ARTIFACTS);
        Files.createDirectories(dir);
        Path properties = writeConfig();
        Path log4j = writeLogConfig();
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            format(classpath, properties, log4j);
        }
        process.start(List.of(ManagedProcess.javaHomeExecutable().toString(), process.jvmMarker(),
                "-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + log4j.toUri(), "-cp", classpath,
                "kafka.Kafka", properties.toString()), dir);
        awaitReady(timeout);
    }

    public boolean stop() {
        return process.stop(Duration.ofSeconds(30));
    }

    /** Kills the broker at once (SIGKILL), without a clean shutdown: for fault-injection tests. */
    public boolean kill() {
        return process.kill();
    }

    public boolean isRunning() {
        return process.running().isPresent();
    }

    /** Ready means what clients need: the broker answers and accepts a new topic. */
    public boolean isReady() {
        try (Admin admin = Admin.create(adminConfig())) {
            admin.createTopics(List.of(new NewTopic("lambda.ready", 1, (short) 1))).all().get(5, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return e.getCause() instanceof TopicExistsException;
        } catch (Exception e) {
            return false;
        }
    }

    private void awaitReady(Duration timeout) {
        process.awaitReady("Kafka", this::isReady, timeout);
    }

    private Map<String, Object> adminConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, layout.kafkaBootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    }

    private void format(String classpath, Path properties, Path log4j) throws IOException {
        Process format = new ProcessBuilder(ManagedProcess.javaHomeExecutable().toString(),
                "-Dlog4j2.configurationFile=" + log4j.toUri(), "-cp", classpath, "kafka.tools.StorageTool",
                "format", "-t", CLUSTER_ID, "-c", properties.toString(), "--ignore-formatted")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile())
                .start();
        try {
            if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
                throw new IOException("Formatting Kafka storage failed; see " + dir.resolve("format.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while formatting Kafka storage", e);
        }
    }

    private Path writeConfig() throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + layout.kafkaControllerPort());
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + layout.kafkaPort()
                + ",CONTROLLER://127.0.0.1:" + layout.kafkaControllerPort());
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + layout.kafkaPort());
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("data").toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "8");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        Path file = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "generated by local-servers for the '" + layout.name() + "' stack");
        }
        return file;
    }

    private Path writeLogConfig() throws IOException {
        Path file = dir.resolve("log4j2.xml");
        Files.writeString(file, """
                <Configuration status="WARN">
                  <Appenders>
                    <Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d %p %c{1} %m%n"/></Console>
                  </Appenders>
                  <Loggers>
                    <Logger name="kafka" level="INFO"/>
                    <Logger name="org.apache.kafka" level="WARN"/>
                    <Logger name="state.change.logger" level="WARN"/>
                    <Root level="WARN"><AppenderRef ref="out"/></Root>
                  </Loggers>
                </Configuration>
                """);
        return file;
    }

    static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a server", e);
        }
    }
}
