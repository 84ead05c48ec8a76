package io.lambda.ingest.event;

/** The body is not JSON, or not of the shape an event request has: 400. */
public class MalformedBodyException extends RuntimeException {

    public MalformedBodyException(String message) {
        super(message);
    }
}
