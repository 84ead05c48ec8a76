package io.lambda.core.cell;

import io.lambda.core.event.Event;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewConfig;
import io.lambda.core.view.ViewDefinition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Random event streams as the topic would carry them: several types, attributes that are sometimes
 * missing or of the wrong type, event times over a few days, ingest times that arrive late, and a
 * Kafka partition and offset for each record.
 */
final class EventStreams {

	static final Instant START = Instant.parse("2026-11-23T00:00:00Z");

	/** "Now" for retention: four days after the start, so the two-day view drops about half of its events. */
	static final Instant NOW = START.plus(Duration.ofDays(4));

	private EventStreams() {
	}

	/** The default views plus views that cover min, several and no group-by dimensions, and a short retention. */
	static ViewCatalog catalog() {
		List<ViewDefinition> views = new ArrayList<>(ViewCatalog.defaults().views());
		ViewCatalog extra = ViewCatalog.fromConfig(List.of(
				new ViewConfig("min_order", "purchase", List.of("country"), "min(amount)", List.of("minute", "hour", "day"), Duration.ofDays(400)),
				new ViewConfig("by_country_and_url", "pageview", List.of("country", "url"), "count", List.of("hour"), Duration.ofDays(400)),
				new ViewConfig("purchases", "purchase", null, "sum(amount)", List.of("day"), Duration.ofDays(400)),
				new ViewConfig("recent_visitors", "pageview", List.of("country"), "distinct(userId)", List.of("minute", "day"), Duration.ofDays(2)),
				new ViewConfig("signups", "signup", List.of(), "count", List.of("hour"), Duration.ofDays(400))));
		views.addAll(extra.views());
		return ViewCatalog.of(views);
	}

	static Arbitrary<Event> events() {
		Arbitrary<String> type = Arbitraries.frequency(Tuple.of(50, "pageview"), Tuple.of(35, "purchase"), Tuple.of(10, "signup"),
				Tuple.of(5, "click"));
		Arbitrary<Object> url = maybe(Arbitraries.of("/home", "/cart", "/a|b", "/c\\d", "").map(v -> (Object) v));
		Arbitrary<Object> country = maybe(Arbitraries.of("DE", "US", "FR", "A|B").map(v -> (Object) v));
		Arbitrary<Object> userId = maybe(Arbitraries.oneOf(Arbitraries.integers().between(0, 80).map(i -> (Object) ("u" + i)),
				Arbitraries.longs().between(0, 5).map(l -> (Object) l), Arbitraries.just((Object) "")));
		Arbitrary<Object> amount = maybe(Arbitraries.oneOf(
				Arbitraries.doubles().between(0.01, 500).ofScale(2).map(d -> (Object) d),
				Arbitraries.randomValue(random -> (Object) (random.nextDouble() * Math.pow(10, random.nextInt(12) - 4))),
				Arbitraries.longs().between(-100, 10_000).map(l -> (Object) l),
				Arbitraries.of("12.5", true, Double.NaN)));
		Arbitrary<Long> eventTime = Arbitraries.longs().between(0, Duration.ofDays(3).toMillis() - 1);
		return Combinators.combine(Arbitraries.integers().between(0, 1_000_000), type, eventTime, url, country, userId, amount)
				.as((n, t, time, u, c, user, a) -> {
					Map<String, Object> attributes = new HashMap<>();
					put(attributes, "url", u);
					put(attributes, "country", c);
					put(attributes, "userId", user);
					put(attributes, "amount", a);
					return new Event("e-" + n, t, START.plusMillis(time), attributes);
				});
	}

	/** Records of the topic: each event with an ingest time (late by up to a day), a partition among {@code partitions} and its offset there. */
	static Arbitrary<List<IngestedEvent>> records(int partitions) {
		Arbitrary<Long> lateness = Arbitraries.longs().between(0, Duration.ofDays(1).toMillis());
		Arbitrary<Integer> partition = Arbitraries.integers().between(0, partitions - 1);
		return Combinators.combine(events(), lateness, partition).as(Tuple::of).list().ofMaxSize(300)
				.withSizeDistribution(RandomDistribution.uniform()).map(draws -> {
			long[] nextOffset = new long[partitions];
			List<IngestedEvent> records = new ArrayList<>();
			for (var draw : draws) {
				int p = draw.get3();
				records.add(new IngestedEvent(draw.get1(), draw.get1().timestampMillis() + draw.get2(), p, nextOffset[p]++));
			}
			return records;
		});
	}

	private static Arbitrary<Object> maybe(Arbitrary<Object> value) {
		return Arbitraries.frequencyOf(Tuple.of(9, value), Tuple.of(1, Arbitraries.just((Object) null)));
	}

	private static void put(Map<String, Object> attributes, String name, Object value) {
		if (value != null) {
			attributes.put(name, value);
		}
	}
}
