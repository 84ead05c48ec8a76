package io.lambda.localservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedProcessTests {

    @TempDir
    Path state;

    private StackLayout layout() {
        return new StackLayout("unit", state, 0, 0, 0, 0, Map.of());
    }

    @Test
    void aRecordedPidOfAProcessWithoutOurMarkerIsNeverTreatedAsOursNorStopped() throws Exception {
        ManagedProcess process = new ManagedProcess(layout(), "kafka");
        Path pidFile = state.resolve("pids").resolve("kafka.pid");
        Files.createDirectories(pidFile.getParent());
        // this test JVM: alive, but it does not carry lambda.managed=unit.kafka
        Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));

        assertThat(process.running()).isEmpty();
        assertThat(process.stop(Duration.ofSeconds(1))).isFalse();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void startsRecordsAndStopsItsOwnProcessByPid() throws Exception {
        ManagedProcess process = new ManagedProcess(layout(), "sleeper");
        ProcessHandle started = process.start(List.of(ManagedProcess.javaHomeExecutable().toString(),
                process.jvmMarker(), "-cp", System.getProperty("java.class.path"), Sleeper.class.getName()), state);

        assertThat(process.running()).map(ProcessHandle::pid).contains(started.pid());
        assertThat(process.stop(Duration.ofSeconds(10))).isTrue();
        assertThat(started.isAlive()).isFalse();
        assertThat(process.running()).isEmpty();
        assertThat(state.resolve("pids").resolve("sleeper.pid")).doesNotExist();
    }

    @Test
    void anInstancesMarkerIsNotTakenForTheMarkerOfAnotherWhoseNameItStartsWith() {
        ManagedProcess first = new ManagedProcess(layout(), "speed-service");
        ManagedProcess second = new ManagedProcess(layout(), "speed-service-1");

        assertThat(first.carriesMarker("java " + second.jvmMarker() + " -jar speed-service.jar")).isFalse();
        assertThat(first.carriesMarker("java " + first.jvmMarker() + " -jar speed-service.jar")).isTrue();
        assertThat(second.carriesMarker("prometheus --web.page-title=" + second.marker())).isTrue();
    }

    @Test
    void pausesAndResumesItsOwnProcessByPidAndStopsAPausedOneCleanly() throws Exception {
        ManagedProcess process = new ManagedProcess(layout(), "sleeper");
        ProcessHandle started = process.start(List.of(ManagedProcess.javaHomeExecutable().toString(),
                process.jvmMarker(), "-cp", System.getProperty("java.class.path"), Sleeper.class.getName()), state);
        try {
            within(Duration.ofSeconds(20), () -> process.running().isPresent());

            assertThat(process.signal("STOP")).isTrue();
            within(Duration.ofSeconds(10), () -> schedulerState(started).equals("T"));
            assertThat(process.signal("CONT")).isTrue();
            within(Duration.ofSeconds(10), () -> !schedulerState(started).equals("T"));

            assertThat(process.signal("STOP")).isTrue();
            within(Duration.ofSeconds(10), () -> schedulerState(started).equals("T"));
            long stopping = System.nanoTime();
            assertThat(process.stop(Duration.ofSeconds(30))).isTrue();
            // resumed, then SIGTERM: gone well before the grace would have ended in a SIGKILL
            assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(20));
            assertThat(started.isAlive()).isFalse();
            assertThat(process.signal("CONT")).as("nothing to signal once stopped").isFalse();
        } finally {
            started.destroyForcibly();
        }
    }

    /** Polls until {@code condition} holds; fails after {@code timeout} (local-servers has no Awaitility). */
    private static void within(Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** The state letter of /proc/<pid>/stat: T while stopped by a signal. */
    private static String schedulerState(ProcessHandle process) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void aStartingProcessIsWaitedForEvenBeforeItsCommandLineCarriesTheMarker() throws Exception {
        // the JDK's spawn helper and setsid run before the JVM with the marker: not an exit
        ManagedProcess process = new ManagedProcess(layout(), "sleeper");
        process.start(List.of(ManagedProcess.javaHomeExecutable().toString(), "-cp",
                System.getProperty("java.class.path"), Sleeper.class.getName()), state);
        long readyAt = System.nanoTime() + Duration.ofMillis(700).toNanos();
        try {
            process.awaitReady("sleeper", () -> System.nanoTime() > readyAt, Duration.ofSeconds(20));
        } finally {
            ProcessHandle.of(Long.parseLong(Files.readString(state.resolve("pids").resolve("sleeper.pid")).trim()))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aProcessThatExitsDuringStartUpIsReportedWithItsExitCodeAndLog() throws Exception {
        ManagedProcess process = new ManagedProcess(layout(), "quitter");
        process.start(List.of(ManagedProcess.javaHomeExecutable().toString(), process.jvmMarker(), "-cp",
                System.getProperty("java.class.path"), Quitter.class.getName()), state);

        assertThatThrownBy(() -> process.awaitReady("quitter", () -> false, Duration.ofSeconds(30)))
                .hasMessageContaining("quitter exited during start-up with exit code 3")
                .hasMessageContaining("no config here");
    }

    /** A process that fails at once, saying why. */
    public static final class Quitter {
        public static void main(String[] args) {
            System.out.println("no config here");
            System.exit(3);
        }
    }

    /** A process that waits to be stopped. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(60_000);
        }
    }
}
