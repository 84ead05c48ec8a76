package io.lambda.ingest.event;

/** Kafka did not acknowledge every event of a request in time: the request is not durable. */
public class KafkaUnavailableException extends RuntimeException {

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
