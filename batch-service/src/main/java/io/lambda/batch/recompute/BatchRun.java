package io.lambda.batch.recompute;

import java.time.Instant;

/**
 * One recompute run as the admin API reports it.
 *
 * @param status RUNNING, PUBLISHED, UNCHANGED (the cut did not move past the published one) or FAILED
 */
public record BatchRun(String runId, String mode, String status, Instant cut, Long version, long eventsRead,
                       long cellsWritten, Instant startedAt, Instant endedAt, String error) {

    BatchRun ended(String status, Instant cut, Long version, long eventsRead, long cellsWritten, String error) {
        return new BatchRun(runId, mode, status, cut, version, eventsRead, cellsWritten, startedAt, Instant.now(),
                error);
    }
}
