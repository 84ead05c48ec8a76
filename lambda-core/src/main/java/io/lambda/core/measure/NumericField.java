package io.lambda.core.measure;

import io.lambda.core.event.Event;

/**
 * The numeric attribute a {@code sum}, {@code min} or {@code max} reads. A usable value is a finite
 * {@link Long} or {@link Double} (so {@code "12.5"} as a string is not a number); {@code -0.0} reads
 * as {@code 0.0} so that every fold order agrees on the sign of a zero.
 */
record NumericField(String name) {

	/** The value, or {@code NaN} when the attribute is missing, not a number, or not finite. */
	double read(Event event) {
		if (event.attribute(name) instanceof Number number) {
			double value = number.doubleValue();
			return Double.isFinite(value) ? value + 0.0 : Double.NaN;
		}
		return Double.NaN;
	}
}
