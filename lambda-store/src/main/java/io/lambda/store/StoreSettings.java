package io.lambda.store;

/**
 * Where the shared tables live: the keyspace, its replication factor, and the deployment name
 * that keys the catalog (one catalog record per deployment).
 */
public record StoreSettings(String keyspace, int replicationFactor, String deployment) {

    public StoreSettings {
        if (keyspace == null || !keyspace.matches("[a-z][a-z0-9_]{0,47}")) {
            throw new IllegalArgumentException("keyspace must be 1-48 of a-z 0-9 _ starting with a letter, was '"
                    + keyspace + "'");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1, was " + replicationFactor);
        }
        if (deployment == null || deployment.isBlank()) {
            throw new IllegalArgumentException("deployment must be set");
        }
    }

    public static StoreSettings defaults() {
        return new StoreSettings("lambda", 1, "default");
    }
}
