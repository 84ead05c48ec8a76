package io.lambda.localservers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * One server process that this launcher starts and stops: its pid file, its log, and a marker on
 * its command line ({@code lambda.managed=<stack>.<name>}, as {@code -D} for a JVM) so that a recycled pid of some other
 * program is never mistaken for ours. Stopping is by recorded pid only, never by name pattern.
 */
final class ManagedProcess {

    private static final Logger log = LoggerFactory.getLogger(ManagedProcess.class);

    private final String name;
    private final String marker;
    private final Path pidFile;
    private final Path logFile;
    /** The process this instance started last, if any: its liveness and exit code need no procfs reads. */
    private volatile Process started;

    ManagedProcess(StackLayout layout, String name) {
        this.name = name;
        this.marker = "lambda.managed=" + layout.name() + "." + name;
        this.pidFile = layout.stateDir().resolve("pids").resolve(name + ".pid");
        this.logFile = layout.stateDir().resolve("logs").resolve(name + ".log");
    }

    String name() {
        return name;
    }

    String marker() {
        return marker;
    }

    /** The marker as a JVM system property argument. */
    String jvmMarker() {
        return "-D" + marker;
    }

    Path logFile() {
        return logFile;
    }

    /** The live process we started earlier, if its pid file points at a process carrying our marker. */
    Optional<ProcessHandle> running() {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().map(this::carriesMarker).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a command line carries our marker as a whole argument: {@code speed-service} must not take the
     * process of {@code speed-service-1} for its own.
     */
    boolean carriesMarker(String commandLine) {
        for (String argument : commandLine.split("\\s+")) {
            if (argument.endsWith(marker)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts the command in its own session (so a Ctrl-C in the terminal that ran ./lambda up does
     * not reach it), output to the log file, and records the pid.
     */
    ProcessHandle start(List<String> command, Path workingDir) throws IOException {
        Files.createDirectories(pidFile.getParent());
        Files.createDirectories(logFile.getParent());
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            full.add("/usr/bin/setsid");
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full)
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        process.getOutputStream().close();
        Files.writeString(pidFile, Long.toString(process.pid()));
        started = process;
        log.debug("Started {} as pid {}", name, process.pid());
        return process.toHandle();
    }

    /**
     * Stops our process, if it runs: SIGTERM, a bounded wait for a clean shutdown, then SIGKILL. A process
     * that was paused is resumed first, so that it can shut down cleanly.
     */
    boolean stop(Duration grace) {
        Optional<ProcessHandle> process = running();
        process.ifPresent(p -> {
            signal(p, "CONT");
            p.destroy();
            try {
                p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("{} (pid {}) did not stop within {} s; killing it", name, p.pid(), grace.toSeconds());
                p.destroyForcibly();
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // reported by the caller's status check
                }
            }
        });
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", pidFile, e.getMessage());
        }
        return process.isPresent();
    }

    /** Kills our process at once (SIGKILL) and waits until it is gone, as a crash would: for fault injection. */
    boolean kill() {
        Optional<ProcessHandle> process = running();
        process.ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        return process.isPresent();
    }

    /**
     * Sends {@code signal} ({@code STOP}, {@code CONT}, ...) to our process, if it runs, with {@code kill} on its
     * recorded pid (the JDK sends only TERM and KILL); whether it was sent.
     */
    boolean signal(String signal) {
        return running().map(p -> signal(p, signal)).orElse(false);
    }

    private boolean signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " did not return in 10 s");
            }
            String output = new String(kill.getInputStream().readAllBytes()).trim();
            if (kill.exitValue() != 0) {
                log.warn("kill -{} {} ({}) failed: {}", signal, process.pid(), name, output);
                return false;
            }
            log.debug("Sent SIG{} to {} (pid {})", signal, name, process.pid());
            return true;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not run kill -" + signal + " for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until {@code ready} holds, polling; fails at once, with the log's tail, when the
     * process exits, and after {@code timeout} when it never gets ready.
     */
    void awaitReady(String what, java.util.function.BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!recordedPidAlive()) {
                throw new IllegalStateException(what + " exited during start-up" + exitCode() + "; last lines of "
                        + logFile + ":\n" + logTail(40));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            KafkaServer.pause();
        }
        throw new IllegalStateException(what + " was not ready within " + timeout.toSeconds() + " s; see " + logFile
                + ":\n" + logTail(40));
    }

    /**
     * Whether the recorded pid is alive, without the marker check of {@link #running()}: right after
     * {@link #start} the child may still be the JDK's spawn helper or setsid, whose command line does not
     * carry the marker yet, and must not be taken for a process that exited.
     */
    private boolean recordedPidAlive() {
        Process process = started;
        if (process != null) {
            return process.isAlive();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private String exitCode() {
        Process process = started;
        return process != null && !process.isAlive() ? " with exit code " + process.exitValue() : "";
    }

    /** The last lines of the log, for error messages that say why a server did not come up. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + logFile + ")";
        }
    }

    /** Refuses to start when a port is taken: by then it is not ours (ours would have been reused). */
    static void requireFree(String what, int... ports) {
        for (int port : ports) {
            if (portInUse(port)) {
                throw new IllegalStateException("Port " + port + " is taken by another process, not by " + what
                        + " this launcher started; stop that process or free the port, then try again");
            }
        }
    }

    static boolean portInUse(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Path javaHomeExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
