package io.lambda.localservers;

import java.util.List;
import org.springframework.boot.cassandra.autoconfigure.CassandraConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The seam between Spring Boot tests and the real servers: import this into a test and Boot's
 * Kafka and Cassandra auto-configuration connect to {@link RealServers#get()}, whichever way they
 * were started.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RealServersConnections {

    @Bean
    RealServers realServers() {
        return RealServers.get();
    }

    @Bean
    KafkaConnectionDetails kafkaConnectionDetails(RealServers servers) {
        return () -> List.of(servers.kafkaBootstrapServers());
    }

    @Bean
    CassandraConnectionDetails cassandraConnectionDetails(RealServers servers) {
        return new CassandraConnectionDetails() {
            @Override
            public List<Node> getContactPoints() {
                return List.of(new Node(servers.cassandraHost(), servers.cassandraPort()));
            }

            @Override
            public String getLocalDatacenter() {
                return servers.cassandraDatacenter();
            }
        };
    }
}
