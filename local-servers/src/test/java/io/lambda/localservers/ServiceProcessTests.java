package io.lambda.localservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessTests {

    @TempDir
    Path checkout;

    private ProjectHome home;
    private StackLayout stack;

    /** A home named by a relative path, as a checkout is when the launcher runs from its root. */
    @BeforeEach
    void relativeHome() {
        home = new ProjectHome(Path.of("").toAbsolutePath().relativize(checkout));
        stack = StackLayout.stack(home);
    }

    @Test
    void theBatchServiceKeepsItsJobRepositoryUnderTheLayoutsStateFolderAsAnAbsolutePath() {
        ServiceProcess batch = new ServiceProcess(home, stack, "batch-service");

        String dataDir = batch.arguments(Map.of()).get("lambda.batch.data-dir");

        // H2 refuses a path relative to the working directory: ./lambda up failed on exactly that
        assertThat(Path.of(dataDir)).isAbsolute()
                .startsWithRaw(stack.stateDir().toAbsolutePath().normalize())
                .endsWithRaw(Path.of("stack", "batch-service"));
    }

    @Test
    void theSpeedServiceKeepsItsStreamsStateUnderTheLayoutsStateFolderAsAnAbsolutePath() {
        ServiceProcess speed = new ServiceProcess(home, stack, "speed-service");

        String stateDir = speed.arguments(Map.of()).get("lambda.speed.state-dir");

        // the Kafka Streams stores (engine streams) survive a restart of the stack, not of the working directory
        assertThat(Path.of(stateDir)).isAbsolute()
                .startsWithRaw(stack.stateDir().toAbsolutePath().normalize())
                .endsWithRaw(Path.of("stack", "speed-service"));
    }

    @Test
    void propertiesGivenByTheCallerOverrideTheLayoutsDefaults() {
        ServiceProcess batch = new ServiceProcess(home, stack, "batch-service");

        Map<String, String> arguments = batch.arguments(Map.of("lambda.batch.data-dir", "/elsewhere", "server.port", "1"));

        assertThat(arguments).containsEntry("lambda.batch.data-dir", "/elsewhere").containsEntry("server.port", "1");
    }

    @Test
    void servicesWithoutFilesOfTheirOwnGetNoStateFolderArgument() {
        ServiceProcess query = new ServiceProcess(home, stack, "query-service");

        assertThat(query.arguments(Map.of()).keySet()).noneMatch(key -> key.contains("data-dir") || key.contains("state-dir"));
    }

    @Test
    void theQueryServiceReadsSpeedCellsFromTheLayoutsSpeedServiceWithAKeyItAcceptsForInternalReads() {
        ServiceProcess query = new ServiceProcess(home, stack, "query-service");
        ServiceProcess speed = new ServiceProcess(home, stack, "speed-service");

        Map<String, String> queryArguments = query.arguments(Map.of());
        Map<String, String> speedArguments = speed.arguments(Map.of());

        assertThat(queryArguments).containsEntry("lambda.query.speed.url", speed.baseUrl());
        String key = queryArguments.get("lambda.query.speed.api-key");
        assertThat(StackApiKey.sha256Hex(key)).isEqualTo(speedArguments.get("lambda.security.api-keys[0].sha256"));
        assertThat(speedArguments.get("lambda.security.api-keys[0].scopes")).contains("internal");
    }

    @Test
    void anExtraSpeedInstanceHasAPortPidFileLogStateFolderAndStaticMemberIdOfItsOwn() {
        ServiceProcess first = new ServiceProcess(home, stack, "speed-service");
        ServiceProcess second = new ServiceProcess(home, stack, "speed-service", 2);

        Map<String, String> firstArguments = first.arguments(Map.of());
        Map<String, String> secondArguments = second.arguments(Map.of());

        assertThat(second.name()).isEqualTo("speed-service-2");
        assertThat(second.port()).isEqualTo(first.port() + 200);
        assertThat(secondArguments).containsEntry("server.port", Integer.toString(second.port()));
        assertThat(second.logFile()).isNotEqualTo(first.logFile());
        assertThat(Path.of(secondArguments.get("lambda.speed.state-dir"))).endsWithRaw(Path.of("stack", "speed-service-2"));
        // two members of one Kafka Streams application must never share a group.instance.id
        assertThat(firstArguments.get("lambda.speed.streams.instance-id")).isEqualTo("stack-speed-service");
        assertThat(secondArguments.get("lambda.speed.streams.instance-id")).isEqualTo("stack-speed-service-2");
        assertThat(second.process().marker()).isNotEqualTo(first.process().marker());
    }

    @Test
    void theStackOfLambdaUpRunsTheC2CompilerAndTestStacksTheC1CompilerAlone() {
        assertThat(ServiceProcess.defaultJavaOptions(stack)).doesNotContain("TieredStopAtLevel");
        assertThat(ServiceProcess.defaultJavaOptions(StackLayout.test(home))).contains("-XX:TieredStopAtLevel=1");
    }
}
