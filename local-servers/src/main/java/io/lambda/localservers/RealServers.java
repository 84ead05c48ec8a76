package io.lambda.localservers;

import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Kafka and Cassandra that integration tests run against. By default the local launcher
 * starts them (layout {@code test}, once per test JVM, stopped at JVM exit if this JVM started
 * them); with {@code -Dlambda.test.infra=containers} they come from Testcontainers instead, on a
 * machine that has Docker.
 */
public interface RealServers {

    String kafkaBootstrapServers();

    String cassandraHost();

    int cassandraPort();

    String cassandraDatacenter();

    default String cassandraContactPoint() {
        return cassandraHost() + ":" + cassandraPort();
    }

    /** The servers for this test JVM, started on first use. */
    static RealServers get() {
        return Holder.get();
    }

    /** Lazily starts the servers once per JVM; the holder is the only state, and it only ever grows. */
    final class Holder {
        private static final Logger log = LoggerFactory.getLogger(RealServers.class);
        private static final AtomicReference<RealServers> INSTANCE = new AtomicReference<>();

        private Holder() {
        }

        static synchronized RealServers get() {
            RealServers servers = INSTANCE.get();
            if (servers == null) {
                String infra = System.getProperty("lambda.test.infra", "local");
                log.info("Starting real Kafka and Cassandra for the tests ({})", infra);
                servers = switch (infra) {
                    case "local" -> LocalRealServers.start();
                    case "containers" -> ContainerRealServers.start();
                    default -> throw new IllegalArgumentException(
                            "lambda.test.infra is 'local' or 'containers', not '" + infra + "'");
                };
                INSTANCE.set(servers);
            }
            return servers;
        }
    }
}
