package io.lambda.core.view;

import io.lambda.core.event.Event;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.Granularity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A named view: which events it counts, how it groups them, what it measures and in which time
 * buckets. Built from configuration by {@link ViewCatalog}; the constructor checks the same rules
 * and fails on the first problem.
 *
 * @param name          the view's name in the API, 1-64 of {@code A-Z a-z 0-9 _ -}
 * @param eventType     the event type it counts, 1-64 of {@code a-z 0-9 _ . -} (as docs/api.md allows)
 * @param groupBy       the attribute names whose values make the key, zero or more, in key order
 * @param measure       what each cell holds
 * @param granularities the bucket widths it keeps, at least one, in ascending order
 * @param retention     how far back (in event time, from "now") events are still counted
 */
public record ViewDefinition(String name, String eventType, List<String> groupBy, Measure<?> measure,
		List<Granularity> granularities, Duration retention) {

	static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

	static final Pattern EVENT_TYPE = Pattern.compile("[a-z0-9_.-]{1,64}");

	static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z0-9_]{1,64}");

	public ViewDefinition {
		groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
		granularities = granularities == null ? List.of() : List.copyOf(new TreeSet<>(granularities));
		List<String> problems = problems(name, eventType, groupBy, retention);
		if (granularities.isEmpty()) {
			problems.add(NO_GRANULARITIES);
		}
		if (measure == null) {
			problems.add("measure must be set");
		}
		if (!problems.isEmpty()) {
			throw new IllegalArgumentException("view '" + name + "': " + String.join("; ", problems));
		}
	}

	static final String NO_GRANULARITIES = "granularities must name at least one of minute, hour, day";

	/** The problems with these parts of a definition (measure and granularities are checked by the callers). */
	static List<String> problems(String name, String eventType, List<String> groupBy, Duration retention) {
		List<String> problems = new ArrayList<>();
		if (name == null || name.isBlank()) {
			problems.add("name must be set");
		}
		else if (!NAME.matcher(name).matches()) {
			problems.add("name '" + name + "' is invalid: use 1-64 of A-Z a-z 0-9 _ -");
		}
		if (eventType == null || eventType.isBlank()) {
			problems.add("eventType must be set");
		}
		else if (!EVENT_TYPE.matcher(eventType).matches()) {
			problems.add("eventType '" + eventType + "' is invalid: event types are 1-64 of a-z 0-9 _ . -");
		}
		Set<String> seen = new HashSet<>();
		for (String dimension : groupBy) {
			if (dimension == null || !ATTRIBUTE.matcher(dimension).matches()) {
				problems.add("groupBy attribute '" + dimension + "' is invalid: attribute names are 1-64 of A-Z a-z 0-9 _");
			}
			else if (!seen.add(dimension)) {
				problems.add("groupBy names attribute '" + dimension + "' twice");
			}
		}
		if (retention == null) {
			problems.add("retention must be set");
		}
		else if (retention.isNegative() || retention.isZero()) {
			problems.add("retention must be positive, was " + retention);
		}
		return problems;
	}

	/**
	 * The same measure, typed for cell values held as {@code Object} (as in the aggregator's cell
	 * maps). The values of this view's cells are always of the measure's value type.
	 */
	@SuppressWarnings("unchecked")
	public Measure<Object> cellMeasure() {
		return (Measure<Object>) measure;
	}

	/** The key of the cells {@code event} belongs to, or {@code null} when it lacks a group-by attribute. */
	public String keyOf(Event event) {
		return switch (groupBy.size()) {
			case 0 -> "";
			case 1 -> text(event.attribute(groupBy.get(0)));
			default -> {
				StringBuilder key = new StringBuilder(32);
				for (int i = 0; i < groupBy.size(); i++) {
					String value = text(event.attribute(groupBy.get(i)));
					if (value == null) {
						yield null;
					}
					if (i > 0) {
						key.append('|');
					}
					ViewKey.appendEscaped(key, value);
				}
				yield key.toString();
			}
		};
	}

	/** Whether an event with this event time is still counted at {@code nowMillis}: not older than the retention. */
	public boolean retains(long eventTimeMillis, long nowMillis) {
		return eventTimeMillis >= nowMillis - retention.toMillis();
	}

	/** A group-by value as key text: strings as they are, numbers and booleans as Java prints them. */
	private static String text(Object value) {
		return value == null ? null : value instanceof String s ? s : value.toString();
	}
}
