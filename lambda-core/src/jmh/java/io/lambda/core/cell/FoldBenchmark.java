package io.lambda.core.cell;

import io.lambda.core.event.Event;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Events per second that one thread folds into cells, per measure: one view of the measure over
 * {@code pageview} events grouped by {@code url}, in minute, hour and day buckets (so three cells
 * change per event), as the default views do. A batch of {@value #EVENTS} events spans one hour of
 * event time over 200 urls and 20,000 users (12,000 minute cells), folded into a fresh map each time,
 * as a Spring Batch chunk would be. "speed" folds the same events as records of one Kafka partition,
 * ingested up to 5 s after their event time, into speed cells keyed also by ingest epoch (5 min)
 * and partition, as the speed layer does with the polls of a partition.
 *
 * <p>Run: {@code mvn -pl lambda-core -Pjmh test-compile exec:exec -Djmh.args="-f 1 -wi 2 -i 3 -w 2s -r 2s"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FoldBenchmark {

	static final int EVENTS = 100_000;

	private static final Instant START = Instant.parse("2026-11-26T10:00:00Z");

	@Param({ "count", "sum(amount)", "min(amount)", "max(amount)", "distinct(userId)" })
	public String measure;

	private Aggregator aggregator;

	private List<Event> events;

	private List<IngestedEvent> records;

	private Instant now;

	@Setup
	public void setUp() {
		ViewCatalog catalog = ViewCatalog.fromConfig(List.of(new ViewConfig("bench", "pageview", List.of("url"), measure,
				List.of("minute", "hour", "day"), Duration.ofDays(400))));
		aggregator = new Aggregator(catalog, IngestEpoch.ofMinutes(5));
		Random random = new Random(42);
		events = new ArrayList<>(EVENTS);
		records = new ArrayList<>(EVENTS);
		for (int i = 0; i < EVENTS; i++) {
			Instant time = START.plusMillis(random.nextInt(3_600_000));
			Event event = new Event("e-" + i, "pageview", time, Map.of("url", "/page/" + random.nextInt(200), "userId",
					"u" + random.nextInt(20_000), "amount", Math.round(random.nextDouble() * 50_000) / 100.0));
			events.add(event);
			records.add(new IngestedEvent(event, time.toEpochMilli() + random.nextInt(5_000), 0, i));
		}
		now = START.plus(Duration.ofDays(1));
	}

	@Benchmark
	@OperationsPerInvocation(EVENTS)
	public Map<CellKey, Object> batch() {
		return aggregator.fold(events, now);
	}

	@Benchmark
	@OperationsPerInvocation(EVENTS)
	public Map<SpeedCellKey, Object> speed() {
		Map<SpeedCellKey, Object> cells = new HashMap<>();
		for (IngestedEvent record : records) {
			aggregator.addSpeed(cells, record, now);
		}
		return cells;
	}
}
