package io.lambda.localservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The launcher against the real servers it starts. */
class LocalServersIntegrationTests {

    @Test
    void kafkaAndCassandraFromTheLauncherAnswerRealRequests() throws Exception {
        RealServers servers = RealServers.get();
        String topic = "it.launcher." + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
        }
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(servers.cassandraHost(), servers.cassandraPort()))
                .withLocalDatacenter(servers.cassandraDatacenter()).build()) {
            assertThat(session.execute("SELECT release_version FROM system.local").one().getString(0))
                    .startsWith("5.0");
        }
    }

    @Test
    void aPortTakenBySomethingElseIsReportedAndNothingIsStarted() throws Exception {
        ProjectHome home = ProjectHome.locate();
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = squatter.getLocalPort();
            StackLayout layout = new StackLayout("port-test", home.stateDir().resolve("port-test"), port, port + 1,
                    0, 0, Map.of());
            KafkaServer kafka = new KafkaServer(home, layout);

            assertThatThrownBy(() -> kafka.start(Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Port " + port + " is taken by another process");
            assertThat(kafka.isRunning()).isFalse();
        }
    }

    @Test
    void anAlreadyRunningServerOfOursIsReusedNotStartedTwice() throws Exception {
        RealServers.get();
        ProjectHome home = ProjectHome.locate();
        KafkaServer kafka = new KafkaServer(home, StackLayout.test(home));
        long pid = kafka.process().running().orElseThrow().pid();

        kafka.start(Duration.ofSeconds(30));

        assertThat(kafka.process().running().orElseThrow().pid()).isEqualTo(pid);
    }
}
