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
 */
@Validated
@ConfigurationProperties("lambda.speed")
public record SpeedProperties(@NotNull Duration pollTimeout, @NotNull Duration progressInterval,
                              @Valid @NotNull Dedup dedup, @Valid @NotNull Expiry expiry, @Valid @NotNull Retry retry) {

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
