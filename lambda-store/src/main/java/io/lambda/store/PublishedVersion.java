package io.lambda.store;

import java.time.Instant;

/**
 * What the catalog says is published: batch version {@code version} holds exactly the distinct
 * events with ingest time before {@code cut}. Version 0 with the cut at the epoch start means
 * "nothing published yet": the speed layer then covers everything.
 */
public record PublishedVersion(long version, Instant cut) {

    public static final PublishedVersion NOTHING = new PublishedVersion(0, Instant.EPOCH);

    public boolean isNothing() {
        return version == 0;
    }
}
