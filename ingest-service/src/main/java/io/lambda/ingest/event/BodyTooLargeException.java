package io.lambda.ingest.event;

/** The request is larger than the configured limits: 413. */
public class BodyTooLargeException extends RuntimeException {

    private final int requestEvents;

    public BodyTooLargeException(String message) {
        this(message, 0);
    }

    /** @param requestEvents how many events the request was seen to hold (0 when unknown) */
    public BodyTooLargeException(String message, int requestEvents) {
        super(message);
        this.requestEvents = requestEvents;
    }

    public int requestEvents() {
        return requestEvents;
    }
}
