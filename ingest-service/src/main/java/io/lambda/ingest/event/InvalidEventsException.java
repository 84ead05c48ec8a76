package io.lambda.ingest.event;

import java.util.List;

/** A request with at least one invalid event: nothing of it is written. */
public class InvalidEventsException extends RuntimeException {

    private final List<FieldError> errors;

    public InvalidEventsException(List<FieldError> errors) {
        super(errors.size() + " problem(s) in the events of this request; nothing was written");
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
