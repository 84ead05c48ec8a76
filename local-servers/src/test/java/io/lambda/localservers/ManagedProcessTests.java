package io.lambda.localservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
