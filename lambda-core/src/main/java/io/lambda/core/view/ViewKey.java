package io.lambda.core.view;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The key of a cell within a view: its group-by values as one string (docs/api.md, "key").
 * <ul>
 * <li>no group-by dimension: the empty string;</li>
 * <li>one dimension: the value exactly as sent ({@code /a|b} is one value, nothing is escaped);</li>
 * <li>several: the values joined by {@code |} in group-by order, with {@code |} and {@code \}
 * inside a value escaped by {@code \}, so that different value lists never share a key.</li>
 * </ul>
 * Keys are only compared within one view, so the number of dimensions is always known.
 */
public final class ViewKey {

	/**
	 * The order in which keys are listed and paged: code point order, which is the order of their UTF-8
	 * bytes and so Cassandra's order of text (not {@link String#compareTo}, which orders UTF-16 units).
	 */
	public static final Comparator<String> ORDER = (a, b) -> {
		int i = 0;
		int j = 0;
		while (i < a.length() && j < b.length()) {
			int x = a.codePointAt(i);
			int y = b.codePointAt(j);
			if (x != y) {
				return Integer.compare(x, y);
			}
			i += Character.charCount(x);
			j += Character.charCount(y);
		}
		return Integer.compare(a.length() - i, b.length() - j);
	};

	private ViewKey() {
	}

	public static String encode(List<String> values) {
		return switch (values.size()) {
			case 0 -> "";
			case 1 -> values.get(0);
			default -> {
				StringBuilder key = new StringBuilder(16 * values.size());
				for (int i = 0; i < values.size(); i++) {
					if (i > 0) {
						key.append('|');
					}
					appendEscaped(key, values.get(i));
				}
				yield key.toString();
			}
		};
	}

	/** Appends {@code value} with {@code |} and {@code \} escaped, for building a key of several dimensions. */
	static void appendEscaped(StringBuilder key, String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '|' || c == '\\') {
				key.append('\\');
			}
			key.append(c);
		}
	}

	/** The values of a key of a view with {@code dimensions} group-by dimensions; rejects keys that are not well formed. */
	public static List<String> decode(String key, int dimensions) {
		if (dimensions < 0) {
			throw new IllegalArgumentException("dimensions must not be negative, was " + dimensions);
		}
		if (dimensions == 0) {
			if (!key.isEmpty()) {
				throw new IllegalArgumentException("a view without group-by dimensions has only the empty key, was '" + key + "'");
			}
			return List.of();
		}
		if (dimensions == 1) {
			return List.of(key);
		}
		List<String> values = new ArrayList<>(dimensions);
		StringBuilder value = new StringBuilder();
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c == '\\') {
				if (i + 1 == key.length()) {
					throw new IllegalArgumentException("key '" + key + "' ends in an unfinished escape '\\'");
				}
				char escaped = key.charAt(++i);
				if (escaped != '|' && escaped != '\\') {
					throw new IllegalArgumentException(
							"key '" + key + "' escapes '" + escaped + "'; only '|' and '\\' are escaped");
				}
				value.append(escaped);
			}
			else if (c == '|') {
				values.add(value.toString());
				value.setLength(0);
			}
			else {
				value.append(c);
			}
		}
		values.add(value.toString());
		if (values.size() != dimensions) {
			throw new IllegalArgumentException(
					"key '" + key + "' has " + values.size() + " values, the view has " + dimensions + " group-by dimensions");
		}
		return List.copyOf(values);
	}
}
