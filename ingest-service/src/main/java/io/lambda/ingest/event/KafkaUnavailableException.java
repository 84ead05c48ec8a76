package io.lambda.ingest.event;

import java.util.List;

/**
 * Kafka did not acknowledge every event of a request in time: the request is not durable. Some
 * of its events may still have been written; sending them again with the same eventIds is safe.
 */
public class KafkaUnavailableException extends RuntimeException {

    private final List<String> eventIds;

    public KafkaUnavailableException(String message, List<String> eventIds, Throwable cause) {
        super(message, cause);
        this.eventIds = List.copyOf(eventIds);
    }

    /** The ids of the request's events in request order, those the service assigned included. */
    public List<String> eventIds() {
        return eventIds;
    }
}
