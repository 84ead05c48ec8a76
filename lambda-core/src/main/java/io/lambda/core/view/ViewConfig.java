package io.lambda.core.view;

import io.lambda.core.measure.Measure;
import io.lambda.core.measure.MeasureSpec;
import io.lambda.core.time.Granularity;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code lambda.views} as written in configuration, before validation: plain strings
 * and lists, the shape Spring binds from YAML (a service can bind {@code List<ViewConfig>} directly;
 * {@code retention: 400d} binds to a {@link Duration}). {@link ViewCatalog#fromConfig} turns a list
 * of them into validated {@link ViewDefinition}s.
 *
 * @param name          the view's name
 * @param eventType     the event type it counts
 * @param groupBy       attribute names, zero or more ({@code null} means none)
 * @param measure       {@code count}, {@code sum(field)}, {@code min(field)}, {@code max(field)} or {@code distinct(field)}
 * @param granularities {@code minute}, {@code hour} and/or {@code day}
 * @param retention     how far back events are counted
 */
public record ViewConfig(String name, String eventType, List<String> groupBy, String measure, List<String> granularities,
		Duration retention) {

	private static final Pattern SIMPLE_DURATION = Pattern.compile("\\s*(\\d+)\\s*(ms|s|m|h|d)\\s*");

	/**
	 * Reads an entry from a generic map, as a YAML parser produces it. {@code retention} may be a
	 * {@link Duration}, an ISO-8601 duration ({@code P400D}) or a number with a unit ({@code 400d},
	 * {@code 12h}, {@code 30m}, {@code 10s}, {@code 500ms}); {@code groupBy} and {@code granularities}
	 * may be lists or single strings. Problems of shape are reported as {@link InvalidViewsException}.
	 */
	public static ViewConfig fromMap(Map<String, ?> entry) {
		List<String> problems = new ArrayList<>();
		ViewConfig config = new ViewConfig(text(entry.get("name")), text(entry.get("eventType")),
				strings(entry.get("groupBy"), "groupBy", problems), text(entry.get("measure")),
				strings(entry.get("granularities"), "granularities", problems),
				duration(entry.get("retention"), problems));
		if (!problems.isEmpty()) {
			throw new InvalidViewsException(problems.stream().map(p -> config.where() + ": " + p).toList());
		}
		return config;
	}

	/** How problems name this entry: by its name, or as nameless. */
	String where() {
		return name == null || name.isBlank() ? "view without a name" : "view '" + name + "'";
	}

	/** Every problem with this entry, each naming the view; empty when it is a valid view. */
	List<String> problems() {
		List<String> problems = new ArrayList<>();
		try {
			MeasureSpec.parse(measure);
		}
		catch (IllegalArgumentException e) {
			problems.add(e.getMessage());
		}
		if (granularities == null || granularities.isEmpty()) {
			problems.add(ViewDefinition.NO_GRANULARITIES);
		}
		else {
			Set<Granularity> seen = new HashSet<>();
			for (String granularity : granularities) {
				try {
					if (!seen.add(Granularity.parse(granularity))) {
						problems.add("granularities name '" + granularity + "' twice");
					}
				}
				catch (IllegalArgumentException e) {
					problems.add(e.getMessage());
				}
			}
		}
		problems.addAll(ViewDefinition.problems(name, eventType, groupBy == null ? List.of() : groupBy, retention));
		return problems.stream().map(p -> where() + ": " + p).toList();
	}

	/** The validated definition; throws {@link InvalidViewsException} listing every problem. */
	public ViewDefinition toDefinition() {
		List<String> problems = problems();
		if (!problems.isEmpty()) {
			throw new InvalidViewsException(problems);
		}
		Measure<?> parsedMeasure = MeasureSpec.parse(measure).measure();
		return new ViewDefinition(name, eventType, groupBy, parsedMeasure,
				granularities.stream().map(Granularity::parse).toList(), retention);
	}

	private static String text(Object value) {
		return value == null ? null : value.toString();
	}

	private static List<String> strings(Object value, String field, List<String> problems) {
		if (value == null) {
			return null;
		}
		if (value instanceof Collection<?> values) {
			return values.stream().map(ViewConfig::text).toList();
		}
		if (value instanceof String s) {
			return List.of(s);
		}
		problems.add(field + " must be a list of names, was " + value);
		return null;
	}

	private static Duration duration(Object value, List<String> problems) {
		if (value == null || value instanceof Duration) {
			return (Duration) value;
		}
		String text = value.toString();
		Matcher simple = SIMPLE_DURATION.matcher(text);
		if (simple.matches()) {
			long amount = Long.parseLong(simple.group(1));
			return switch (simple.group(2)) {
				case "ms" -> Duration.ofMillis(amount);
				case "s" -> Duration.ofSeconds(amount);
				case "m" -> Duration.ofMinutes(amount);
				case "h" -> Duration.ofHours(amount);
				default -> Duration.ofDays(amount);
			};
		}
		try {
			return Duration.parse(text.strip());
		}
		catch (DateTimeParseException e) {
			problems.add("retention '" + text + "' is not a duration (e.g. 400d, 12h or P400D)");
			return null;
		}
	}
}
