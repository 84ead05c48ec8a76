package io.lambda.batch.system;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the batch service, under {@code lambda.batch}; defaults in application.yaml.
 *
 * @param clockSkewMargin how far the broker's clock may be ahead of ours: a caught-up partition
 *                        counts as complete through now minus this margin
 * @param instanceId      this replica's name on the run lease; a replica restarted under the same
 *                        name takes its own lease back at once and resumes its interrupted run
 * @param resumeOnStart   whether a run interrupted by a crash is resumed when the service starts
 */
@Validated
@ConfigurationProperties("lambda.batch")
public record BatchProperties(@NotNull Duration clockSkewMargin, @NotBlank String instanceId, boolean resumeOnStart,
                              @Valid @NotNull Recompute recompute, @Valid @NotNull Versions versions,
                              @Valid @NotNull Lease lease, @Valid @NotNull Schedule schedule) {

    /**
     * How a run spreads its work.
     *
     * @param mapPartitions  partitions of the map step (each folds a range of master-dataset shards)
     * @param threads        partitions worked on at once in this process
     * @param writeChunk     cells written per committed chunk of the reduce step
     * @param lookupsInFlight concurrent master-dataset reads of an incremental run's dedup check
     */
    public record Recompute(@Min(1) int mapPartitions, @Min(1) int threads, @Min(1) int writeChunk,
                            @Min(1) int lookupsInFlight) {
    }

    /**
     * Which versions are kept, and how far back a rollback may go (docs/architecture.md, invariant 7).
     *
     * @param keep           complete versions kept besides the published one; older ones are deleted
     * @param rollbackWindow a version whose cut the published cut passed longer ago than this may no
     *                       longer be published: the speed layer may have expired the cells from its
     *                       cut onward. Keep it below the speed layer's {@code lambda.speed.expiry.grace}
     */
    public record Versions(@Min(1) int keep, @NotNull Duration rollbackWindow) {
    }

    /**
     * The run lease (one run at a time across replicas).
     *
     * @param ttl        how long a lease outlives a holder that stopped renewing it
     * @param renewEvery how often the holder renews it; well below {@code ttl}
     */
    public record Lease(@NotNull Duration ttl, @NotNull Duration renewEvery) {
    }

    /**
     * Scheduled runs; an empty cron disables that mode's schedule.
     *
     * @param enabled         whether runs are scheduled at all
     * @param incrementalCron when incremental runs start (Spring cron, six fields)
     * @param fullCron        when full runs start
     */
    public record Schedule(boolean enabled, String incrementalCron, String fullCron) {
    }
}
