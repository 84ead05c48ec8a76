package io.lambda.core.view;

import io.lambda.core.event.Event;
import io.lambda.core.measure.Count;
import io.lambda.core.measure.Distinct;
import io.lambda.core.measure.Max;
import io.lambda.core.measure.Sum;
import io.lambda.core.time.Granularity;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ViewCatalogTests {

	private static final List<String> ALL = List.of("minute", "hour", "day");

	private static ViewConfig view(String name, String eventType, List<String> groupBy, String measure, List<String> granularities) {
		return new ViewConfig(name, eventType, groupBy, measure, granularities, Duration.ofDays(30));
	}

	@Test
	void theDefaultsAreTheFourViewsOfTheContract() {
		ViewCatalog defaults = ViewCatalog.defaults();
		assertThat(defaults.names()).containsExactly("pageviews", "visitors", "revenue", "max_order");
		assertThat(defaults.get("pageviews")).isEqualTo(new ViewDefinition("pageviews", "pageview", List.of("url"), new Count(),
				List.of(Granularity.MINUTE, Granularity.HOUR, Granularity.DAY), Duration.ofDays(400)));
		assertThat(defaults.get("visitors").measure()).isEqualTo(new Distinct("userId"));
		assertThat(defaults.get("revenue").measure()).isEqualTo(new Sum("amount"));
		assertThat(defaults.get("max_order").measure()).isEqualTo(new Max("amount"));
		assertThat(defaults.get("max_order").groupBy()).containsExactly("country");
		assertThat(defaults.forEventType("purchase")).extracting(ViewDefinition::name).containsExactly("revenue", "max_order");
		assertThat(defaults.forEventType("signup")).isEmpty();
	}

	@Test
	@SuppressWarnings("unchecked")
	void theShippedYamlHoldsTheSameViewsAsTheDefaults() throws Exception {
		try (InputStream yaml = getClass().getResourceAsStream("/lambda-views.yaml")) {
			Map<String, Object> root = new Yaml().load(yaml);
			List<Map<String, Object>> views = (List<Map<String, Object>>) ((Map<String, Object>) root.get("lambda")).get("views");
			assertThat(ViewCatalog.fromMaps(views)).isEqualTo(ViewCatalog.defaults());
		}
	}

	@Test
	void buildsViewsFromConfigurationInAnyOrderAndCase() {
		ViewCatalog catalog = ViewCatalog.fromConfig(List.of(
				view("orders_by_country_and_url", "purchase", List.of("country", "url"), "min(amount)", List.of("DAY", "minute")),
				view("all_signups", "signup", null, "count", List.of("hour"))));
		ViewDefinition orders = catalog.get("orders_by_country_and_url");
		assertThat(orders.granularities()).containsExactly(Granularity.MINUTE, Granularity.DAY);
		assertThat(catalog.get("all_signups").groupBy()).isEmpty();
		assertThat(orders.measure().spec()).hasToString("min(amount)");
	}

	@Test
	void collectsEveryProblemOfEveryViewIntoOneError() {
		List<ViewConfig> configs = List.of(
				view("avg", "purchase", List.of("country"), "avg(amount)", ALL),
				view("revenue", "purchase", List.of("country"), "sum()", ALL),
				view("revenue", "purchase", List.of("country"), "sum(amount)", ALL),
				view("weekly", "purchase", List.of(), "count", List.of("week")),
				view("", "purchase", List.of(), "count", ALL),
				view("bad_type", "Page View", List.of("url", "url"), "count", List.of()),
				new ViewConfig("no_retention", "pageview", List.of(), "count", ALL, null));
		assertThatExceptionOfType(InvalidViewsException.class).isThrownBy(() -> ViewCatalog.fromConfig(configs))
				.satisfies(e -> assertThat(e.problems()).containsExactly(
						"view 'avg': unknown measure 'avg(amount)' (expected count, sum(field), min(field), max(field) or distinct(field))",
						"view 'revenue': measure sum needs a field name, e.g. sum(amount)",
						"view 'revenue': duplicate view name",
						"view 'weekly': unknown granularity 'week' (expected minute, hour or day)",
						"view without a name: name must be set",
						"view 'bad_type': granularities must name at least one of minute, hour, day",
						"view 'bad_type': eventType 'Page View' is invalid: event types are 1-64 of a-z 0-9 _ . -",
						"view 'bad_type': groupBy names attribute 'url' twice",
						"view 'no_retention': retention must be set"))
				.withMessageStartingWith("invalid view definitions (lambda.views):\n - view 'avg': unknown measure");
	}

	@Test
	void readsGenericMapsWithDurationsInConfigurationNotation() {
		Map<String, Object> entry = new HashMap<>(Map.of("name", "signups", "eventType", "signup", "measure", "count",
				"granularities", "day", "retention", "12h"));
		ViewCatalog catalog = ViewCatalog.fromMaps(List.of(entry));
		assertThat(catalog.get("signups").retention()).isEqualTo(Duration.ofHours(12));
		assertThat(catalog.get("signups").granularities()).containsExactly(Granularity.DAY);
		entry.put("retention", "P2D");
		assertThat(ViewCatalog.fromMaps(List.of(entry)).get("signups").retention()).isEqualTo(Duration.ofDays(2));
	}

	@Test
	void reportsShapeProblemsOfGenericMapsWithTheOtherProblems() {
		List<Map<String, Object>> entries = new ArrayList<>();
		entries.add(Map.of("name", "a", "eventType", "signup", "measure", "count", "granularities", List.of("day"),
				"retention", "forever"));
		entries.add(Map.of("name", "b", "eventType", "signup", "measure", "max(x", "granularities", List.of("day"),
				"retention", "1d"));
		assertThatExceptionOfType(InvalidViewsException.class).isThrownBy(() -> ViewCatalog.fromMaps(entries))
				.satisfies(e -> assertThat(e.problems()).containsExactly(
						"view 'a': retention 'forever' is not a duration (e.g. 400d, 12h or P400D)",
						"view 'b': cannot read measure 'max(x' (expected count, sum(field), min(field), max(field) or distinct(field))"));
	}

	@Test
	void findsViewsByNameAndSaysWhichExistWhenOneDoesNot() {
		ViewCatalog defaults = ViewCatalog.defaults();
		assertThat(defaults.find("revenue")).isPresent();
		assertThat(defaults.find("nope")).isEmpty();
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> defaults.get("nope"))
				.withMessage("unknown view 'nope' (known: pageviews, visitors, revenue, max_order)");
	}

	@Test
	void aDefinitionBuiltInCodeChecksTheSameRules() {
		assertThatIllegalArgumentException()
				.isThrownBy(() -> new ViewDefinition("x y", "pageview", List.of(), new Count(), List.of(Granularity.DAY), Duration.ofDays(1)))
				.withMessage("view 'x y': name 'x y' is invalid: use 1-64 of A-Z a-z 0-9 _ -");
		ViewDefinition view = ViewCatalog.defaults().get("pageviews");
		assertThatExceptionOfType(InvalidViewsException.class).isThrownBy(() -> ViewCatalog.of(view, view))
				.withMessageContaining("view 'pageviews': duplicate view name");
	}

	@Test
	void keysComeFromTheGroupByAttributesInOrder() {
		ViewDefinition byCountryAndUrl = ViewCatalog.fromConfig(List.of(
				view("v", "pageview", List.of("country", "url"), "count", ALL))).get("v");
		Event event = new Event("e", "pageview", Instant.EPOCH, Map.of("url", "/a|b", "country", "DE", "n", 4L));
		assertThat(byCountryAndUrl.keyOf(event)).isEqualTo("DE|/a\\|b");
		assertThat(ViewCatalog.defaults().get("pageviews").keyOf(event)).isEqualTo("/a|b");
		assertThat(byCountryAndUrl.keyOf(new Event("e", "pageview", Instant.EPOCH, Map.of("url", "/a")))).isNull();
		ViewDefinition byNumber = ViewCatalog.fromConfig(List.of(view("n", "pageview", List.of("n"), "count", ALL))).get("n");
		assertThat(byNumber.keyOf(event)).isEqualTo("4");
	}

	@Test
	void retentionCountsBackFromTheGivenNow() {
		ViewDefinition view = ViewCatalog.fromConfig(List.of(view("v", "pageview", List.of(), "count", ALL))).get("v");
		long now = Instant.parse("2026-11-26T00:00:00Z").toEpochMilli();
		assertThat(view.retains(now - Duration.ofDays(30).toMillis(), now)).isTrue();
		assertThat(view.retains(now - Duration.ofDays(30).toMillis() - 1, now)).isFalse();
	}
}
