package io.lambda.core.measure;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A measure as configured: {@code count}, {@code sum(amount)}, {@code min(amount)},
 * {@code max(amount)} or {@code distinct(userId)}. {@link #toString} gives that text back, which is
 * also what the query API shows for a view.
 *
 * @param kind  which measure
 * @param field the attribute it reads; {@code null} for {@code count}
 */
public record MeasureSpec(MeasureKind kind, String field) {

	private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_]{1,64}");

	private static final Pattern SPEC = Pattern.compile("\\s*([A-Za-z]+)\\s*(?:\\(\\s*([^)]*?)\\s*\\))?\\s*");

	private static final String EXPECTED = "count, sum(field), min(field), max(field) or distinct(field)";

	public MeasureSpec {
		if (kind == null) {
			throw new IllegalArgumentException("measure kind must be set");
		}
		if (kind.needsField()) {
			if (field == null || field.isEmpty()) {
				throw new IllegalArgumentException(
						"measure " + kind.id() + " needs a field name, e.g. " + kind.id() + "(amount)");
			}
			if (!FIELD.matcher(field).matches()) {
				throw new IllegalArgumentException("measure " + kind.id() + "(" + field
						+ ") has an invalid field name: use 1-64 of A-Z a-z 0-9 _");
			}
		}
		else if (field != null) {
			throw new IllegalArgumentException("measure " + kind.id() + " takes no field, was given '" + field + "'");
		}
	}

	/** Parses the configured text; the error says what is wrong and what would be accepted. */
	public static MeasureSpec parse(String text) {
		if (text == null || text.isBlank()) {
			throw new IllegalArgumentException("measure must be set (expected " + EXPECTED + ")");
		}
		Matcher matcher = SPEC.matcher(text);
		if (!matcher.matches()) {
			throw new IllegalArgumentException("cannot read measure '" + text + "' (expected " + EXPECTED + ")");
		}
		MeasureKind kind = kindNamed(matcher.group(1), text);
		String field = matcher.group(2);
		if (field == null && kind.needsField()) {
			throw new IllegalArgumentException(
					"measure '" + text + "' needs a field name, e.g. " + kind.id() + "(amount)");
		}
		if (field != null && field.isEmpty() && !kind.needsField()) {
			field = null; // "count()" reads fine
		}
		return new MeasureSpec(kind, field);
	}

	private static MeasureKind kindNamed(String name, String text) {
		for (MeasureKind kind : MeasureKind.values()) {
			if (kind.id().equals(name.toLowerCase(Locale.ROOT))) {
				return kind;
			}
		}
		throw new IllegalArgumentException("unknown measure '" + text.strip() + "' (expected " + EXPECTED + ")");
	}

	/** A new instance of the measure this spec names. */
	public Measure<?> measure() {
		return switch (kind) {
			case COUNT -> new Count();
			case SUM -> new Sum(field);
			case MIN -> new Min(field);
			case MAX -> new Max(field);
			case DISTINCT -> new Distinct(field);
		};
	}

	@Override
	public String toString() {
		return field == null ? kind.id() : kind.id() + "(" + field + ")";
	}
}
