package io.lambda.ingest.event;

/** The request is larger than the configured limits: 413. */
public class BodyTooLargeException extends RuntimeException {

    public BodyTooLargeException(String message) {
        super(message);
    }
}
