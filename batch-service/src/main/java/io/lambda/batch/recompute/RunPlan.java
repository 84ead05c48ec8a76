package io.lambda.batch.recompute;

import io.lambda.store.PublishedVersion;
import java.time.Instant;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * What one run builds, fixed before it starts and kept in its job parameters, so that a restart
 * after a crash builds exactly the same version: the version number, the cut, the mode, the base
 * an incremental run adds to, and the catalog entry the publish expects to replace.
 *
 * @param version  the version the run writes
 * @param cut      its cut H: it holds exactly the distinct events ingested before H
 * @param mode     {@code full} or {@code incremental}
 * @param base     for an incremental run, the version (and cut H_prev) it adds the events of [H_prev, H) to;
 *                 {@link PublishedVersion#NOTHING} for a full run
 * @param expected the catalog entry when the run started: the publish is a compare-and-set against it
 * @param mapPartitions how many partitions the map step has (kept, so a restart splits the same way)
 */
public record RunPlan(long version, Instant cut, String mode, PublishedVersion base, PublishedVersion expected,
                      int mapPartitions) {

    public static final String FULL = "full";
    public static final String INCREMENTAL = "incremental";

    public boolean incremental() {
        return INCREMENTAL.equals(mode);
    }

    JobParameters toJobParameters() {
        return new JobParametersBuilder()
                .addLong("version", version)
                .addLong("cut", cut.toEpochMilli())
                .addString("mode", mode)
                .addLong("baseVersion", base.version())
                .addLong("baseCut", base.cut().toEpochMilli())
                .addLong("expectedVersion", expected.version())
                .addLong("expectedCut", expected.cut().toEpochMilli())
                .addLong("mapPartitions", (long) mapPartitions)
                .toJobParameters();
    }

    static RunPlan of(JobParameters parameters) {
        return new RunPlan(parameters.getLong("version"), Instant.ofEpochMilli(parameters.getLong("cut")),
                parameters.getString("mode"),
                new PublishedVersion(parameters.getLong("baseVersion"),
                        Instant.ofEpochMilli(parameters.getLong("baseCut"))),
                new PublishedVersion(parameters.getLong("expectedVersion"),
                        Instant.ofEpochMilli(parameters.getLong("expectedCut"))),
                parameters.getLong("mapPartitions").intValue());
    }
}
