package io.lambda.ingest.event;

import java.util.List;

/** A request with at least one invalid event: nothing of it is written. */
public class InvalidEventsException extends RuntimeException {

    private final List<FieldError> errors;
    private final long errorCount;
    private final int requestEvents;

    /**
     * @param errors the problems to report (possibly only the first of them)
     * @param errorCount how many problems there are in all
     * @param invalidEvents how many events have at least one problem
     * @param requestEvents how many events the request holds
     */
    public InvalidEventsException(List<FieldError> errors, long errorCount, int invalidEvents, int requestEvents) {
        super(invalidEvents + " of the " + requestEvents + " events of this request "
                + (invalidEvents == 1 ? "is" : "are") + " invalid; nothing was written");
        this.errors = List.copyOf(errors);
        this.errorCount = errorCount;
        this.requestEvents = requestEvents;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public long errorCount() {
        return errorCount;
    }

    public int requestEvents() {
        return requestEvents;
    }
}
