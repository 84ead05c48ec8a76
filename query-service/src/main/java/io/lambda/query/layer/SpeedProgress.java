package io.lambda.query.layer;

import java.time.Instant;
import java.util.Optional;

/**
 * How far the speed layer has applied the events topic: the ingest time through which every
 * partition's events are in the speed cells ({@code speedThrough} in provenance, the speed lag in
 * freshness). The speed-service is adding a progress table for this; until a reader of it is wired
 * here, {@link #UNKNOWN} answers "not reported" and provenance shows {@code null}, never a guess.
 */
public interface SpeedProgress {

    SpeedProgress UNKNOWN = Optional::empty;

    /** The ingest time through which the speed layer is complete on every partition, if reported. */
    Optional<Instant> speedThrough();
}
