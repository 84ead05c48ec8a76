package io.lambda.localservers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 15 cluster of the machine's Debian package, for the batch service's JobRepository
 * in production shape. Its data folder lives in the layout's state folder, owned by the
 * {@code postgres} user (PostgreSQL refuses to run as root): {@code initdb} on first use, then
 * {@code pg_ctl start}. Ready means {@code pg_isready} says so. Its pid is the postmaster's, from
 * {@code postmaster.pid}, copied to the layout's pid folder; it is stopped by that pid only
 * ({@code pg_ctl stop} signals exactly it), after checking that the process runs on our data folder.
 *
 * <p>Authentication is {@code trust} on the loopback and a socket in {@code /tmp}: a throwaway
 * cluster for tests and the local stack, never one to hold real data.
 */
public final class PostgresServer {

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    public static final Path BIN = Path.of(System.getProperty("lambda.postgres.bin", "/usr/lib/postgresql/15/bin"));
    public static final String USER = "postgres";

    private final Path dir;
    private final Path pidFile;
    private final Path logFile;
    private final int port;

    public PostgresServer(StackLayout layout, int port) {
        this.dir = layout.stateDir().resolve("postgres");
        this.pidFile = layout.stateDir().resolve("pids").resolve("postgres.pid");
        this.logFile = layout.stateDir().resolve("logs").resolve("postgres.log");
        this.port = port;
    }

    /** Why PostgreSQL cannot run here, if it cannot: the missing binary or user, named. */
    public static Optional<String> unavailable() {
        for (String binary : List.of("initdb", "pg_ctl", "postgres")) {
            if (!Files.isExecutable(BIN.resolve(binary))) {
                return Optional.of("PostgreSQL is not installed: no executable " + BIN.resolve(binary)
                        + " (set -Dlambda.postgres.bin to its bin folder)");
            }
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/runuser")) && !Files.isExecutable(Path.of("/sbin/runuser"))) {
            return Optional.of("no runuser binary to run PostgreSQL as the '" + USER + "' user");
        }
        return Optional.empty();
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Starts the cluster unless ours already runs (initialising it on first use); returns once it accepts connections. */
    public void start(Duration timeout) throws IOException {
        if (running().isPresent()) {
            awaitReady(timeout);
            return;
        }
        ManagedProcess.requireFree("a PostgreSQL", port);
        Files.createDirectories(pidFile.getParent());
        Files.createDirectories(logFile.getParent());
        if (!Files.isRegularFile(dir.resolve("PG_VERSION"))) {
            Files.createDirectories(dir);
            asPostgres(List.of("chown", USER + ":", dir.toString()), false);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            asPostgres(List.of(BIN.resolve("initdb").toString(), "-D", dir.toString(), "-U", USER,
                    "--auth=trust", "--encoding=UTF8", "--no-instructions"), true);
        }
        // pg_ctl writes the server log as the postgres user: give it a file it may write.
        if (!Files.exists(logFile)) {
            Files.createFile(logFile);
        }
        asPostgres(List.of("chown", USER + ":", logFile.toString()), false);
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.toString(), "-l", logFile.toString(),
                "-o", "-p " + port + " -k /tmp -c listen_addresses=127.0.0.1", "-w", "-t",
                Long.toString(Math.max(5, timeout.toSeconds())), "start"), true);
        long pid = postmasterPid().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL started but wrote no " + dir.resolve("postmaster.pid")));
        Files.writeString(pidFile, Long.toString(pid));
        awaitReady(timeout);
        log.info("PostgreSQL runs on port {} (pid {}, data {})", port, pid, dir);
    }

    /** The postmaster we started, if its recorded pid is a live postgres on our data folder. */
    public Optional<ProcessHandle> running() {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean isReady() {
        try {
            Process process = new ProcessBuilder(BIN.resolve("pg_isready").toString(), "-q", "-h", "127.0.0.1", "-p",
                    Integer.toString(port)).redirectErrorStream(true).start();
            process.getOutputStream().close();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isReady()) {
                return;
            }
            KafkaServer.pause();
        }
        throw new IllegalStateException("PostgreSQL was not ready within " + timeout.toSeconds() + " s; see "
                + logFile);
    }

    /** Creates a database unless it exists. */
    public void createDatabase(String name) throws IOException {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name must be a-z 0-9 _, was " + name);
        }
        try {
            asPostgres(List.of(BIN.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                    "-U", USER, name), true);
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("already exists")) {
                throw e;
            }
        }
    }

    /** Stops our postmaster, if it runs (fast shutdown: open sessions are ended). */
    public boolean stop() {
        Optional<ProcessHandle> process = running();
        process.ifPresent(p -> {
            try {
                asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", "fast", "-w",
                        "stop"), true);
            } catch (IOException | IllegalStateException e) {
                log.warn("pg_ctl stop failed ({}); terminating pid {}", e.getMessage(), p.pid());
                p.destroy();
            }
            p.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
        });
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", pidFile, e.getMessage());
        }
        return process.isPresent();
    }

    private Optional<Long> postmasterPid() throws IOException {
        Path file = dir.resolve("postmaster.pid");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Files.readAllLines(file).stream().findFirst().map(String::trim).map(Long::parseLong);
    }

    /** Runs a command to its end; as the postgres user when {@code asUser} (needed when we are root). */
    private static void asPostgres(List<String> command, boolean asUser) throws IOException {
        List<String> full = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (asUser && root) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        } else if (!asUser && !root) {
            return; // chown is only needed (and only allowed) as root
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", full), e);
        }
    }
}
