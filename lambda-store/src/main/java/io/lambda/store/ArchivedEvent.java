package io.lambda.store;

import java.time.Instant;

/**
 * One row of the master dataset: the event as it travelled on the topic ({@code payload}, decoded
 * through lambda-core), with its ingest time and Kafka coordinates.
 */
public record ArchivedEvent(String eventId, String type, Instant eventTime, Instant ingestTime,
                            int partition, long offset, byte[] payload) {

    /** Whether this row is that ingest: the same broker time and Kafka coordinates. */
    public boolean isIngest(MasterDataset.Ingest ingest) {
        return ingestTime.equals(ingest.ingestTime()) && partition == ingest.partition() && offset == ingest.offset();
    }
}
