package io.lambda.core.measure;

/** Stored cell-value bytes that this build cannot read: another measure's, an unknown format version, or damaged. */
public class CellValueDecodingException extends IllegalArgumentException {

	public CellValueDecodingException(String message) {
		super(message);
	}

	public CellValueDecodingException(String message, Throwable cause) {
		super(message, cause);
	}
}
