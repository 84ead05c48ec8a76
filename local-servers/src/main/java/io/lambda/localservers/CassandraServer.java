package io.lambda.localservers;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A single Cassandra node run from the {@code cassandra-all} jars of Maven Central as its own JVM
 * on Java 17, with a generated minimal {@code cassandra.yaml} (loopback, one token, data in the
 * state folder).
 */
public final class CassandraServer {

    static final String VERSION = System.getProperty("lambda.cassandra.version", "5.0.9");
    public static final String DATACENTER = "datacenter1";
    private static final List<ServerClasspath.Artifact> ARTIFACTS =
            List.of(ServerClasspath.Artifact.of("org.apache.cassandra:cassandra-all:" + VERSION));

    /** The module-system openings of Cassandra's own jvm17-server.options. */
    private static final List<String> JVM17_FLAGS = List.of(
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.math=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/java.net=ALL-UNNAMED");

    private final ProjectHome home;
    private final StackLayout layout;
    private final ManagedProcess process;
    private final Path dir;
    private final String heap;

    /** The heap of tests and the local stack: small, with small memtables to match. */
    private static final String TEST_HEAP = "1g";

    public CassandraServer(ProjectHome home, StackLayout layout) {
        this(home, layout, TEST_HEAP);
    }

    /**
     * @param heap the node's heap ({@code -Xms} and {@code -Xmx}): 1 GB is plenty for tests and the
     *             local stack; a benchmark that writes at production rates gives it what Cassandra's
     *             own start script would on a production machine (a quarter of the memory, up to 8 GB).
     */
    public CassandraServer(ProjectHome home, StackLayout layout, String heap) {
        this.home = home;
        this.heap = heap;
        this.layout = layout;
        this.process = new ManagedProcess(layout, "cassandra");
        this.dir = layout.stateDir().resolve("cassandra");
    }

    /**
     * Memtable space in the generated cassandra.yaml. With the test heap, 128 MiB each on and off heap.
     * With a bigger heap Cassandra's default, a quarter of the heap: memtables that small on a node taking
     * writes at production rates flush every second or so, and every flush is compacted again later.
     */
    private String memtableSpace() {
        return TEST_HEAP.equals(heap)
                ? "memtable_heap_space: 128MiB\nmemtable_offheap_space: 128MiB"
                : "# memtable_heap_space and memtable_offheap_space: Cassandra's default, a quarter of the heap";
    }

    ManagedProcess process() {
        return process;
    }

    /** Starts Cassandra unless ours already runs; returns once CQL answers a query. */
    public void start(Duration timeout) throws IOException {
        if (process.running().isPresent()) {
            awaitReady(timeout);
            return;
        }
        ManagedProcess.requireFree("a Cassandra", layout.cassandraPort(), layout.cassandraStoragePort());
        String classpath = ServerClasspath.resolve(home, "cassandra-" + VERSION, ARTIFACTS);
        Files.createDirectories(dir.resolve("data"));
        Path yaml = writeConfig();
        Path logback = writeLogConfig();

        List<String> command = new ArrayList<>();
        // As root, Cassandra mlocks its whole heap; without the ipc_lock capability it cannot, and
        // stays near 600 MB instead of 1.5 GB.
        if (Files.isExecutable(Path.of("/usr/bin/setpriv")) && isRoot()) {
            command.addAll(List.of("/usr/bin/setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"));
        }
        command.add(java17().toString());
        command.add(process.jvmMarker());
        command.addAll(List.of("-Xms" + heap, "-Xmx" + heap, "-Xss512k", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError"));
        command.addAll(JVM17_FLAGS);
        command.addAll(List.of(
                "-Dcassandra.config=" + yaml.toUri(),
                "-Dcassandra-foreground=true",
                "-Dcassandra.storagedir=" + dir.resolve("data"),
                "-Dlogback.configurationFile=" + logback.toUri(),
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.ring_delay_ms=0",
                "-cp", classpath,
                "org.apache.cassandra.service.CassandraDaemon"));
        process.start(command, dir);
        awaitReady(timeout);
    }

    public boolean stop() {
        return process.stop(Duration.ofSeconds(45));
    }

    public boolean isRunning() {
        return process.running().isPresent();
    }

    public boolean isReady() {
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress("127.0.0.1", layout.cassandraPort()))
                .withLocalDatacenter(DATACENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(2))
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(2))
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(5))
                        .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, 1)
                        .build())
                .build()) {
            return session.execute("SELECT release_version FROM system.local").one() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void awaitReady(Duration timeout) {
        // the port opens only when CQL is served; probing it first keeps the driver's noise down
        process.awaitReady("Cassandra", () -> ManagedProcess.portInUse(layout.cassandraPort()) && isReady(), timeout);
    }

    /** Cassandra 5 runs on Java 11 or 17 only: use this JVM if it is one, else a Java 17 beside it. */
    static Path java17() {
        int feature = Runtime.version().feature();
        if (feature == 17 || feature == 11) {
            return ManagedProcess.javaHomeExecutable();
        }
        String configured = System.getenv("LAMBDA_CASSANDRA_JAVA");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            return jvms.filter(p -> p.getFileName().toString().contains("17"))
                    .map(p -> p.resolve("bin").resolve("java"))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow();
        } catch (Exception e) {
            throw new IllegalStateException("Cassandra " + VERSION + " needs Java 17 (or 11); this is Java "
                    + feature + ". Set LAMBDA_CASSANDRA_JAVA to a Java 17 'java' executable.");
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private Path writeConfig() throws IOException {
        Path data = dir.resolve("data");
        Path file = dir.resolve("cassandra.yaml");
        Files.writeString(file, """
                # generated by local-servers for the '%s' stack
                cluster_name: lambda-local
                num_tokens: 1
                initial_token: 0
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                listen_address: 127.0.0.1
                rpc_address: 127.0.0.1
                storage_port: %d
                native_transport_port: %d
                start_native_transport: true
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "127.0.0.1:%d"
                endpoint_snitch: SimpleSnitch
                commitlog_sync: periodic
                commitlog_sync_period: 10000ms
                data_file_directories: [%s]
                commitlog_directory: %s
                saved_caches_directory: %s
                hints_directory: %s
                cdc_raw_directory: %s
                authenticator: AllowAllAuthenticator
                authorizer: AllowAllAuthorizer
                concurrent_reads: 16
                concurrent_writes: 16
                %s
                """.formatted(layout.name(), layout.cassandraStoragePort(), layout.cassandraPort(),
                layout.cassandraStoragePort(), data.resolve("data"), data.resolve("commitlog"),
                data.resolve("saved_caches"), data.resolve("hints"), data.resolve("cdc_raw"), memtableSpace()));
        return file;
    }

    private Path writeLogConfig() throws IOException {
        Path file = dir.resolve("logback.xml");
        Files.writeString(file, """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d %level %logger{0} %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.cassandra" level="INFO"/>
                  <root level="WARN"><appender-ref ref="out"/></root>
                </configuration>
                """);
        return file;
    }
}
