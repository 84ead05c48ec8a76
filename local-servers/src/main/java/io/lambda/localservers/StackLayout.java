package io.lambda.localservers;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one local stack lives: its ports and its state folder. {@code stack} is what ./lambda up
 * runs on the ports of docs/api.md; {@code test} is what the tests start, on other ports and in
 * another folder, so running tests never touches a stack a developer has up.
 */
public record StackLayout(String name, Path stateDir, int kafkaPort, int kafkaControllerPort,
                          int cassandraPort, int cassandraStoragePort, Map<String, Integer> servicePorts) {

    /** The four services in start order, with the port each listens on in the local stack. */
    public static final Map<String, Integer> SERVICE_PORTS = orderedPorts(0);

    public static StackLayout stack(ProjectHome home) {
        return new StackLayout("stack", home.stateDir().resolve("stack"), 9092, 9093, 9042, 7000, SERVICE_PORTS);
    }

    public static StackLayout test(ProjectHome home) {
        return new StackLayout("test", home.stateDir().resolve("test"), 19092, 19093, 19042, 17000,
                orderedPorts(10000));
    }

    /** Prometheus, when asked for, listens two ports below Kafka: 9090 in the stack, 19090 in tests. */
    public int prometheusPort() {
        return kafkaPort - 2;
    }

    public String kafkaBootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    public String cassandraContactPoint() {
        return "127.0.0.1:" + cassandraPort;
    }

    public int servicePort(String service) {
        Integer port = servicePorts.get(service);
        if (port == null) {
            throw new IllegalArgumentException("Unknown service '" + service + "'; known: " + servicePorts.keySet());
        }
        return port;
    }

    private static Map<String, Integer> orderedPorts(int offset) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("ingest-service", 8081 + offset);
        ports.put("speed-service", 8082 + offset);
        ports.put("batch-service", 8083 + offset);
        ports.put("query-service", 8080 + offset);
        return java.util.Collections.unmodifiableMap(ports);
    }
}
