package io.lambda.speed.system;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the speed service, under {@code lambda.speed}; defaults in application.yaml.
 *
 * @param pollTimeout      the longest a poll waits for records. Cells are written at the end of every
 *                         poll, so this is the flush interval: a record is in Cassandra at most this
 *                         long (plus one write round trip) after the broker could hand it out
 * @param progressInterval how often each partition's progress ({@code speed_progress}) is written
 * @param dedup            the window of recently seen event ids
 * @param expiry           when speed cells of absorbed epochs are deleted
 * @param retry            how a poll whose writes failed is retried (Cassandra unreachable)
 * @param engine           which engine keeps the speed cells: {@code writer} (the consumer writing Cassandra
 *                         speed tables, the default) or {@code streams} (Kafka Streams state, docs/speed.md)
 * @param stateDir         engine {@code streams}: the folder of the local state stores (RocksDB)
 * @param streams          engine {@code streams}: the Kafka Streams application and its interactive queries
 */
@Validated
@ConfigurationProperties("lambda.speed")
public record SpeedProperties(@NotNull Duration pollTimeout, @NotNull Duration progressInterval,
                              @Valid @NotNull Dedup dedup, @Valid @NotNull Expiry expiry, @Valid @NotNull Retry retry,
                              @NotNull Engine engine, @NotNull String stateDir, @Valid @NotNull Streams streams) {

    /** The property that selects the engine, for {@code @ConditionalOnProperty}. */
    public static final String ENGINE = "lambda.speed.engine";

    /** Which engine keeps the speed cells. */
    public enum Engine {
        /** A consumer group writing speed cells to Cassandra ({@code cell/SpeedCellWriter}). */
        WRITER,
        /** A Kafka Streams application keeping them as changelogged local state ({@code streams/}). */
        STREAMS
    }

    /**
     * The Kafka Streams application of engine {@code streams}.
     *
     * @param applicationId       the Streams application id: consumer group, transactional ids and the prefix of
     *                            the changelog topics
     * @param advertisedHost      the host other instances reach this one's HTTP port on ({@code application.server}
     *                            is {@code advertisedHost:server.port}); in Kubernetes the pod's DNS name or IP
     * @param instanceId          static membership ({@code group.instance.id}): a restart within the session
     *                            timeout gets its partitions back without a rebalance; empty for dynamic membership
     * @param standbyReplicas     warm copies of each partition's stores on other instances
     * @param threads             stream threads of this instance
     * @param commitInterval      how often a task commits its transaction (state, changelog and offsets together);
     *                            not how soon a record is readable: interactive queries read the stores as
     *                            processed. It bounds what a crash replays and how far standbys lag
     * @param cacheMaxBytes       the record cache in front of the cell stores: hot cells coalesce before the changelog
     * @param restoreWait         how long an interactive query waits for a partition that is restoring or moving
     *                            before naming it in {@code missingPartitions}
     * @param fanOutTimeout       how long an interactive query waits for another instance's answer
     */
    public record Streams(@NotNull String applicationId, @NotNull String advertisedHost, String instanceId,
                          @Min(0) int standbyReplicas, @Min(1) int threads, @NotNull Duration commitInterval,
                          @Min(0) long cacheMaxBytes, @NotNull Duration restoreWait, @NotNull Duration fanOutTimeout) {
    }


    /**
     * The bounded window of event ids seen per partition (docs/architecture.md, invariant 6): an
     * event whose id is in it is not applied again. An id leaves the window when the window holds more than
     * {@code maxIdsPerPartition} ids or when it is older than {@code maxAge} in ingest time.
     */
    public record Dedup(@Min(0) int maxIdsPerPartition, @NotNull Duration maxAge) {
    }

    /**
     * Expiry after absorption (docs/architecture.md, invariant 5): cells of an epoch below the
     * published cut are deleted once {@code grace} has passed since this service saw the cut pass the epoch. The grace
     * covers in-flight queries and the rollback window of batch-service
     * ({@code lambda.batch.versions.rollback-window}, which must stay below it).
     */
    public record Expiry(boolean enabled, @NotNull Duration grace, @NotNull Duration sweepInterval) {
    }

    /** Back-off between retries of a poll that could not be written: from {@code initial} doubling to {@code max}, forever. */
    public record Retry(@NotNull Duration initial, @NotNull Duration max) {
    }
}
