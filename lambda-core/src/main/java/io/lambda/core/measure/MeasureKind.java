package io.lambda.core.measure;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.function.Function;

/**
 * The measures this build knows, with the tag that marks their stored values. The first byte of
 * every encoded cell value is {@code tag << 4 | version}: a reader can tell whose value it holds and
 * refuse a format it does not know instead of misreading it. Tags are never reused.
 */
public enum MeasureKind {

	COUNT(1, false), SUM(2, true), MIN(3, true), MAX(4, true), DISTINCT(5, true);

	/** The format version written by this build; readers accept exactly the versions they list. */
	static final int VERSION = 1;

	private final int tag;

	private final boolean needsField;

	MeasureKind(int tag, boolean needsField) {
		this.tag = tag;
		this.needsField = needsField;
	}

	/** The name used in configuration: {@code count}, {@code sum}, ... */
	public String id() {
		return name().toLowerCase(Locale.ROOT);
	}

	public boolean needsField() {
		return needsField;
	}

	byte header() {
		return (byte) (tag << 4 | VERSION);
	}

	/** A buffer for writing a value: the header, then room for {@code payloadBytes}. */
	ByteBuffer newValue(int payloadBytes) {
		return ByteBuffer.allocate(1 + payloadBytes).put(header());
	}

	/**
	 * Reads a value of this measure: checks the header, hands the payload to {@code reader} and checks
	 * that it was read exactly to its end.
	 */
	<V> V read(byte[] bytes, Function<ByteBuffer, V> reader) {
		if (bytes == null || bytes.length == 0) {
			throw new CellValueDecodingException("empty " + id() + " value");
		}
		int tagRead = (bytes[0] & 0xF0) >>> 4;
		int versionRead = bytes[0] & 0x0F;
		if (tagRead != tag) {
			throw new CellValueDecodingException(
					"not a " + id() + " value: the stored value has measure tag " + tagRead + describeTag(tagRead));
		}
		if (versionRead != VERSION) {
			throw new CellValueDecodingException("unknown " + id() + " value format version " + versionRead
					+ " (this build reads version " + VERSION + ")");
		}
		ByteBuffer payload = ByteBuffer.wrap(bytes, 1, bytes.length - 1).slice();
		V value;
		try {
			value = reader.apply(payload);
		}
		catch (BufferUnderflowException e) {
			throw new CellValueDecodingException(id() + " value is truncated (" + bytes.length + " bytes)", e);
		}
		if (payload.hasRemaining()) {
			throw new CellValueDecodingException(id() + " value has " + payload.remaining() + " unexpected trailing bytes");
		}
		return value;
	}

	private static String describeTag(int tag) {
		for (MeasureKind kind : values()) {
			if (kind.tag == tag) {
				return " (" + kind.id() + ")";
			}
		}
		return " (unknown)";
	}
}
