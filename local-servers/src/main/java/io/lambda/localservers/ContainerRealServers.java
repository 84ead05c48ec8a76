package io.lambda.localservers;

import org.testcontainers.cassandra.CassandraContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Real servers from Testcontainers, for machines with Docker ({@code -Dlambda.test.infra=containers}).
 * CI and this project's own machines have no Docker engine and use {@link LocalRealServers}.
 */
final class ContainerRealServers implements RealServers {

    private final KafkaContainer kafka;
    private final CassandraContainer cassandra;

    private ContainerRealServers(KafkaContainer kafka, CassandraContainer cassandra) {
        this.kafka = kafka;
        this.cassandra = cassandra;
    }

    static ContainerRealServers start() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:" + KafkaServer.VERSION);
        CassandraContainer cassandra = new CassandraContainer("cassandra:" + CassandraServer.VERSION);
        kafka.start();
        cassandra.start();
        return new ContainerRealServers(kafka, cassandra);
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String cassandraHost() {
        return cassandra.getHost();
    }

    @Override
    public int cassandraPort() {
        return cassandra.getMappedPort(9042);
    }

    @Override
    public String cassandraDatacenter() {
        return cassandra.getLocalDatacenter();
    }
}
