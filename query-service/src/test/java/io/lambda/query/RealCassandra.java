package io.lambda.query;

import io.lambda.localservers.RealServers;
import java.util.List;
import org.springframework.boot.cassandra.autoconfigure.CassandraConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Boot's Cassandra connection to {@link RealServers#get()}. The query-service has no Kafka on its
 * classpath, and local-servers' {@code RealServersConnections} also declares a Kafka connection
 * (whose class it then cannot load), so this declares only the Cassandra half of it.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RealCassandra {

    @Bean
    CassandraConnectionDetails cassandraConnectionDetails() {
        RealServers servers = RealServers.get();
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
