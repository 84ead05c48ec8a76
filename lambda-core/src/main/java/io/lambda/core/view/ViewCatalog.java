package io.lambda.core.view;

import io.lambda.core.measure.Count;
import io.lambda.core.measure.Distinct;
import io.lambda.core.measure.Max;
import io.lambda.core.measure.Sum;
import io.lambda.core.time.Granularity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * The validated set of views of a deployment ({@code lambda.views}), shared by every service so that
 * ingest, speed, batch and query agree on what a view is. Immutable and thread-safe.
 */
public final class ViewCatalog {

	/** The retention of the default views: a bit more than a year of event time. */
	public static final Duration DEFAULT_RETENTION = Duration.ofDays(400);

	private static final List<Granularity> ALL_GRANULARITIES = List.of(Granularity.MINUTE, Granularity.HOUR,
			Granularity.DAY);

	private final Map<String, ViewDefinition> byName;

	private final Map<String, List<ViewDefinition>> byEventType;

	private ViewCatalog(List<ViewDefinition> views) {
		Map<String, ViewDefinition> names = new LinkedHashMap<>();
		Map<String, List<ViewDefinition>> types = new HashMap<>();
		for (ViewDefinition view : views) {
			names.put(view.name(), view);
			types.computeIfAbsent(view.eventType(), type -> new ArrayList<>()).add(view);
		}
		this.byName = Collections.unmodifiableMap(names);
		types.replaceAll((type, list) -> List.copyOf(list));
		this.byEventType = Map.copyOf(types);
	}

	/** A catalog of these definitions; throws {@link InvalidViewsException} when two share a name. */
	public static ViewCatalog of(List<ViewDefinition> views) {
		List<String> problems = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (ViewDefinition view : views) {
			if (!names.add(view.name())) {
				problems.add("view '" + view.name() + "': duplicate view name");
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidViewsException(problems);
		}
		return new ViewCatalog(views);
	}

	public static ViewCatalog of(ViewDefinition... views) {
		return of(List.of(views));
	}

	/**
	 * The catalog configured under {@code lambda.views}, as Spring binds it; throws
	 * {@link InvalidViewsException} listing every problem of every view.
	 */
	public static ViewCatalog fromConfig(List<ViewConfig> configs) {
		List<String> problems = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (ViewConfig config : configs) {
			problems.addAll(config.problems());
			if (config.name() != null && !config.name().isBlank() && !names.add(config.name())) {
				problems.add(config.where() + ": duplicate view name");
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidViewsException(problems);
		}
		return new ViewCatalog(configs.stream().map(ViewConfig::toDefinition).toList());
	}

	/** As {@link #fromConfig}, from generic maps as a YAML parser gives them (see {@link ViewConfig#fromMap}). */
	public static ViewCatalog fromMaps(List<? extends Map<String, ?>> entries) {
		List<String> problems = new ArrayList<>();
		List<ViewConfig> configs = new ArrayList<>();
		for (Map<String, ?> entry : entries) {
			try {
				configs.add(ViewConfig.fromMap(entry));
			}
			catch (InvalidViewsException e) {
				problems.addAll(e.problems());
			}
		}
		try {
			ViewCatalog catalog = fromConfig(configs);
			if (problems.isEmpty()) {
				return catalog;
			}
		}
		catch (InvalidViewsException e) {
			problems.addAll(e.problems());
		}
		throw new InvalidViewsException(problems);
	}

	/**
	 * The four default views of docs/api.md, in minute, hour and day buckets, kept {@link #DEFAULT_RETENTION}.
	 * {@code lambda-views.yaml} on the classpath holds the same, for services to import.
	 */
	public static ViewCatalog defaults() {
		return of(new ViewDefinition("pageviews", "pageview", List.of("url"), new Count(), ALL_GRANULARITIES,
				DEFAULT_RETENTION),
				new ViewDefinition("visitors", "pageview", List.of("url"), new Distinct("userId"), ALL_GRANULARITIES,
						DEFAULT_RETENTION),
				new ViewDefinition("revenue", "purchase", List.of("country"), new Sum("amount"), ALL_GRANULARITIES,
						DEFAULT_RETENTION),
				new ViewDefinition("max_order", "purchase", List.of("country"), new Max("amount"), ALL_GRANULARITIES,
						DEFAULT_RETENTION));
	}

	/** Every view, in configuration order. */
	public List<ViewDefinition> views() {
		return List.copyOf(byName.values());
	}

	public Set<String> names() {
		return byName.keySet();
	}

	public Optional<ViewDefinition> find(String name) {
		return Optional.ofNullable(byName.get(name));
	}

	/** The view named {@code name}; throws {@link NoSuchElementException} naming the known views. */
	public ViewDefinition get(String name) {
		ViewDefinition view = byName.get(name);
		if (view == null) {
			throw new NoSuchElementException("unknown view '" + name + "' (known: " + String.join(", ", byName.keySet()) + ")");
		}
		return view;
	}

	/** The views that count events of {@code eventType}; empty when none does. */
	public List<ViewDefinition> forEventType(String eventType) {
		return byEventType.getOrDefault(eventType, List.of());
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ViewCatalog catalog && views().equals(catalog.views());
	}

	@Override
	public int hashCode() {
		return views().hashCode();
	}

	@Override
	public String toString() {
		return "ViewCatalog" + byName.keySet();
	}
}
