package io.lambda.ingest.event;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The events of one request as they are read: each is validated and encoded at once, and the
 * request is all or nothing. After the first invalid event the valid ones are dropped (they will
 * not be sent) and only the problems are kept, at most {@code maxReportedErrors} of them.
 */
final class ValidatedEvents {

    private final EventValidator validator;
    private final EventCodec codec;
    private final int maxReportedErrors;
    private final List<EncodedEvent> events = new ArrayList<>();
    private final List<FieldError> errors = new ArrayList<>();
    private final List<FieldError> scratch = new ArrayList<>();
    private int count;
    private int invalidEvents;
    private long errorCount;

    ValidatedEvents(EventValidator validator, EventCodec codec, int maxReportedErrors) {
        this.validator = validator;
        this.codec = codec;
        this.maxReportedErrors = maxReportedErrors;
    }

    void add(int index, JsonNode node) {
        count++;
        scratch.clear();
        Event event = validator.validate(index, node, scratch);
        if (event == null) {
            reject(scratch);
        } else if (invalidEvents == 0) {
            events.add(new EncodedEvent(event.eventId(), codec.encode(event)));
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
