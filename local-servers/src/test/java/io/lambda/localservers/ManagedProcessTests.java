package io.lambda.localservers;

import static org.assertj.core.api.Assertions.assertThat;

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

    /** A process that waits to be stopped. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(60_000);
        }
    }
}
