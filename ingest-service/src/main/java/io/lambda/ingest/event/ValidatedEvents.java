package io.lambda.ingest.event;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;

/**
 * The events of one request as they are read: each is validated and encoded as it is parsed, and the
 * request is all or nothing. After the first invalid event the valid ones are dropped (they will
 * not be sent) and only the problems are kept, at most {@code maxReportedErrors} of them.
 */
final class ValidatedEvents {

    private final EventValidator validator;
    private final int maxReportedErrors;
    private final List<EncodedEvent> events = new ArrayList<>();
    private final List<FieldError> errors = new ArrayList<>();
    private final List<FieldError> scratch = new ArrayList<>();
    private int count;
    private int invalidEvents;
    private long errorCount;

    ValidatedEvents(EventValidator validator, int maxReportedErrors) {
        this.validator = validator;
        this.maxReportedErrors = maxReportedErrors;
    }

    /** Reads the event the parser stands on, through to its end. */
    void add(int index, JsonParser parser) {
        add(index, parser, false);
    }

    /**
     * Reads the event the parser stands on; with {@code wholeInput} the parser's input (an NDJSON
     * line) must end with it. An event that is not valid JSON throws and is not counted.
     */
    void add(int index, JsonParser parser, boolean wholeInput) {
        scratch.clear();
        EncodedEvent event = validator.read(index, parser, scratch);
        if (wholeInput && parser.nextToken() != null) {
            throw new MalformedBodyException("trailing content after the event");
        }
        count++;
        if (event == null) {
            reject(scratch);
        } else if (invalidEvents == 0) {
            events.add(event);
        }
    }

    /** An event that could not even be parsed (NDJSON: a line that is not JSON). */
    void addUnreadable(int index, String message) {
        count++;
        reject(List.of(new FieldError(index, "", message)));
    }

    private void reject(List<FieldError> problems) {
        if (invalidEvents++ == 0) {
            events.clear();
        }
        errorCount += problems.size();
        for (FieldError problem : problems) {
            if (errors.size() < maxReportedErrors) {
                errors.add(problem);
            }
        }
    }

    int count() {
        return count;
    }

    /** Every event of the request, encoded; or {@link InvalidEventsException} if any was invalid. */
    List<EncodedEvent> validEvents() {
        if (count == 0) {
            throw new MalformedBodyException("the request holds no events");
        }
        if (invalidEvents > 0) {
            throw new InvalidEventsException(errors, errorCount, invalidEvents, count);
        }
        return events;
    }
}
