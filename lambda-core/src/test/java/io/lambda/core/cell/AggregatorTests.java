package io.lambda.core.cell;

import io.lambda.core.event.Event;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.measure.ExactSum;
import io.lambda.core.time.Granularity;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class AggregatorTests {

	private static final Instant T = Instant.parse("2026-11-26T10:15:30.123Z");

	private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

	private final Aggregator aggregator = new Aggregator(ViewCatalog.defaults(), IngestEpoch.ofMinutes(5));

	private static Event pageview(String url, String userId) {
		return new Event("e-" + url + userId, "pageview", T, Map.of("url", url, "userId", userId));
	}

	private static Event purchase(String country, Object amount) {
		return new Event("e-" + country + amount, "purchase", T, Map.of("country", country, "amount", amount));
	}

	private static CellKey cell(String view, String key, Granularity granularity) {
		return new CellKey(view, key, granularity, granularity.bucketStartMillis(T.toEpochMilli()));
	}

	@Test
	void anEventCountsInEveryViewOfItsTypeInEveryGranularity() {
		Map<CellKey, Double> results = aggregator.results(aggregator.fold(List.of(pageview("/home", "u1"), pageview("/home", "u2"),
				pageview("/home", "u1")), NOW));
		assertThat(results).containsOnly(
				entry(cell("pageviews", "/home", Granularity.MINUTE), 3.0), entry(cell("pageviews", "/home", Granularity.HOUR), 3.0),
				entry(cell("pageviews", "/home", Granularity.DAY), 3.0), entry(cell("visitors", "/home", Granularity.MINUTE), 2.0),
				entry(cell("visitors", "/home", Granularity.HOUR), 2.0), entry(cell("visitors", "/home", Granularity.DAY), 2.0));
	}

	@Test
	void sumsAndMaximaOfPurchasesPerCountry() {
		Map<CellKey, Object> cells = aggregator.fold(List.of(purchase("DE", 12.5), purchase("DE", 30L), purchase("US", 0.1)), NOW);
		Map<CellKey, Double> results = aggregator.results(cells);
		assertThat(results).contains(entry(cell("revenue", "DE", Granularity.HOUR), 42.5),
				entry(cell("max_order", "DE", Granularity.DAY), 30.0), entry(cell("revenue", "US", Granularity.MINUTE), 0.1));
		assertThat(cells.get(cell("revenue", "DE", Granularity.HOUR))).isEqualTo(ExactSum.of(12.5, 30));
	}

	@Test
	void skipsWhatAViewCannotUseAndCountsWhy() {
		Map<CellKey, Object> cells = new HashMap<>();
		aggregator.add(cells, new Event("a", "pageview", T, Map.of("userId", "u1")), NOW); // no url
		aggregator.add(cells, new Event("b", "pageview", T, Map.of("url", "/home")), NOW); // no userId
		aggregator.add(cells, purchase("DE", "12.50"), NOW); // amount is a string
		aggregator.add(cells, new Event("c", "purchase", T, Map.of("country", "DE")), NOW); // no amount
		aggregator.add(cells, new Event("d", "pageview", T.minus(Duration.ofDays(401)), Map.of("url", "/old", "userId", "u1")), NOW);
		aggregator.add(cells, new Event("e", "click", T, Map.of("url", "/home")), NOW); // no view counts clicks

		AggregationStats stats = aggregator.stats();
		assertThat(stats.skipped("pageviews", SkipReason.MISSING_GROUP_BY)).isEqualTo(1);
		assertThat(stats.skipped("visitors", SkipReason.MISSING_GROUP_BY)).isEqualTo(1);
		assertThat(stats.skipped("visitors", SkipReason.MISSING_FIELD)).isEqualTo(1);
		assertThat(stats.skipped("revenue", SkipReason.INVALID_FIELD)).isEqualTo(1);
		assertThat(stats.skipped("max_order", SkipReason.MISSING_FIELD)).isEqualTo(1);
		assertThat(stats.skipped(SkipReason.BEYOND_RETENTION)).isEqualTo(2); // pageviews and visitors
		assertThat(stats.snapshot()).containsOnlyKeys("pageviews", "visitors", "revenue", "max_order");
		// the pageview without userId still counts as a page view
		assertThat(aggregator.results(cells)).containsOnly(entry(cell("pageviews", "/home", Granularity.MINUTE), 1.0),
				entry(cell("pageviews", "/home", Granularity.HOUR), 1.0), entry(cell("pageviews", "/home", Granularity.DAY), 1.0));
	}

	@Test
	void retentionIsMeasuredFromTheGivenNowNotTheClock() {
		Event old = new Event("a", "pageview", Instant.parse("2020-01-01T00:00:00Z"), Map.of("url", "/", "userId", "u"));
		assertThat(aggregator.fold(List.of(old), Instant.parse("2020-06-01T00:00:00Z"))).hasSize(6);
		assertThat(aggregator.fold(List.of(old), Instant.parse("2021-06-01T00:00:00Z"))).isEmpty();
		assertThat(aggregator.fold(List.of(old))).hasSize(6);
	}

	@Test
	void mergeFoldsCellByCellWithoutChangingItsInputs() {
		Map<CellKey, Object> a = aggregator.fold(List.of(pageview("/home", "u1"), purchase("DE", 1.5)));
		Map<CellKey, Object> b = aggregator.fold(List.of(pageview("/home", "u2"), purchase("DE", 2.0), purchase("FR", 4.0)));
		Map<CellKey, Double> aBefore = aggregator.results(a);
		Map<CellKey, Double> bBefore = aggregator.results(b);

		Map<CellKey, Object> merged = aggregator.merge(a, b);

		assertThat(aggregator.results(a)).isEqualTo(aBefore);
		assertThat(aggregator.results(b)).isEqualTo(bBefore);
		assertThat(aggregator.results(merged)).contains(entry(cell("pageviews", "/home", Granularity.DAY), 2.0),
				entry(cell("visitors", "/home", Granularity.DAY), 2.0), entry(cell("revenue", "DE", Granularity.DAY), 3.5),
				entry(cell("max_order", "FR", Granularity.DAY), 4.0));
		// accumulating into the merged cells leaves the inputs alone too
		aggregator.add(merged, pageview("/home", "u3"));
		assertThat(aggregator.results(a)).isEqualTo(aBefore);
		assertThat(aggregator.results(b)).isEqualTo(bBefore);
	}

	@Test
	void speedCellsAreKeyedByIngestEpochAndPartition() {
		long ingest = Instant.parse("2026-11-26T10:07:31Z").toEpochMilli();
		Map<SpeedCellKey, Object> cells = aggregator.foldSpeed(List.of(new IngestedEvent(pageview("/home", "u1"), ingest, 3, 120)), NOW);
		long epoch = IngestEpoch.ofMinutes(5).epochOf(ingest);
		assertThat(cells).containsKey(new SpeedCellKey(cell("pageviews", "/home", Granularity.HOUR), epoch, 3));
		assertThat(cells.keySet()).allSatisfy(key -> assertThat(key.ingestEpoch()).isEqualTo(epoch));
		assertThat(aggregator.collapse(cells, epoch + 1)).isEmpty();
		assertThat(aggregator.results(aggregator.collapse(cells, epoch))).containsEntry(cell("pageviews", "/home", Granularity.HOUR), 1.0);
	}

	@Test
	void aReplayedRecordIsSkippedForTheCellsThatAlreadyHoldIt() {
		AggregationStats stats = new AggregationStats();
		Aggregator speed = new Aggregator(ViewCatalog.defaults(), IngestEpoch.ofMinutes(5), stats);
		long ingest = T.toEpochMilli();
		long epoch = speed.epochs().epochOf(ingest);
		SpeedCellKey hour = new SpeedCellKey(cell("pageviews", "/home", Granularity.HOUR), epoch, 0);
		Map<SpeedCellKey, Object> cells = new HashMap<>();

		// the hour cell was stored with offset 120 before a crash; the other cells were not
		speed.addSpeed(cells, new IngestedEvent(pageview("/home", "u1"), ingest, 0, 120), NOW,
				key -> key.equals(hour) ? 120 : -1);

		assertThat(cells).doesNotContainKey(hour).containsKey(new SpeedCellKey(cell("pageviews", "/home", Granularity.DAY), epoch, 0));
		assertThat(stats.skipped("pageviews", SkipReason.REPLAYED)).isEqualTo(1);
		assertThat(stats.skipped("visitors", SkipReason.REPLAYED)).isZero();
	}
}
