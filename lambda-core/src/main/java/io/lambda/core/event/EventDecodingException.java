package io.lambda.core.event;

/**
 * A record on the events topic that cannot be read as an {@link Event}: not JSON, an unknown format
 * version, or a missing or ill-typed field. Unchecked, but callers reading the topic should catch it
 * and set the record aside rather than stop the partition.
 */
public class EventDecodingException extends RuntimeException {

	public EventDecodingException(String message) {
		super(message);
	}

	public EventDecodingException(String message, Throwable cause) {
		super(message, cause);
	}
}
