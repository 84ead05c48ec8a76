package io.lambda.systemtests;

import io.lambda.localservers.ServiceProcess;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Where the partitions of the events topic stand, as one instance of speed-service (engine streams)
 * reports them for all instances ({@code /internal/v1/speed/progress}): which instance answered for
 * each, how far behind its log end it is, and which no instance answered for.
 */
record SpeedPartitions(List<Partition> partitions, List<Integer> missing) {

    /**
     * One partition that answered: {@code lag} is null until its consumer fetched once, and for a
     * {@code standby} answer (a standby replica read because the instance running it did not answer).
     */
    record Partition(int partition, long nextOffset, Long lag, String host, boolean standby) {
    }

    /** Asks {@code instance}, which fans out to the others; fails on any answer but 200. */
    static SpeedPartitions read(LambdaClient client, ServiceProcess instance) throws Exception {
        HttpResponse<String> response = client.get(instance.baseUrl() + "/internal/v1/speed/progress");
        if (response.statusCode() != 200) {
            throw new IllegalStateException(instance.name() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        JsonNode body = LambdaClient.JSON.readTree(response.body());
        List<Partition> partitions = new ArrayList<>();
        for (JsonNode p : body.path("partitions")) {
            JsonNode lag = p.get("lag");
            partitions.add(new Partition(p.get("partition").asInt(), p.path("nextOffset").asLong(),
                    lag == null || lag.isNull() ? null : lag.asLong(), p.path("host").asString(""),
                    p.path("standby").asBoolean(false)));
        }
        List<Integer> missing = new ArrayList<>();
        body.path("missingPartitions").forEach(m -> missing.add(m.asInt()));
        return new SpeedPartitions(partitions, missing);
    }

    /** Every one of {@code count} partitions answered and has applied everything up to its log end. */
    boolean settled(int count) {
        return missing.isEmpty() && partitions.size() == count
                && partitions.stream().allMatch(p -> p.lag() != null && p.lag() == 0);
    }

    /** Every partition answered by the instance running it: none missing, none from a standby replica. */
    boolean allActive() {
        return missing.isEmpty() && partitions.stream().noneMatch(Partition::standby);
    }

    /** Which instance ({@code host:port}) answered for each partition. */
    java.util.Map<Integer, String> owners() {
        java.util.Map<Integer, String> owners = new java.util.TreeMap<>();
        partitions.forEach(p -> owners.put(p.partition(), p.host()));
        return owners;
    }

    /** The instances ({@code host:port}) that answered for at least one partition. */
    Set<String> hosts() {
        Set<String> hosts = new TreeSet<>();
        partitions.forEach(p -> hosts.add(p.host()));
        return hosts;
    }

    /** The {@code host:port} an instance advertises (lambda.speed.streams.advertised-host is 127.0.0.1 here). */
    static String host(ServiceProcess instance) {
        return "127.0.0.1:" + instance.port();
    }

    @Override
    public String toString() {
        return "partitions " + partitions + ", missing " + missing;
    }
}
