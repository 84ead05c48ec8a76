package io.lambda.ingest.event;

/** One thing wrong with one event of a request: which event (by index), which field, and why. */
public record FieldError(int index, String field, String message) {
}
