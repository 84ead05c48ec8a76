package io.lambda.core.cell;

import io.lambda.core.event.Event;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.measure.Distinct;
import io.lambda.core.measure.Measure;
import io.lambda.core.measure.MeasureKind;
import io.lambda.core.time.Granularity;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The lambda invariant: the speed layer's way of folding (one record at a time, into cells per
 * ingest epoch and Kafka partition, partitions merged later in any order) gives exactly the cells of
 * the batch layer's way (one bulk fold of the whole stream), for every view and measure. And the
 * merge rule built on it counts every event exactly once, wherever the batch cut falls.
 */
class LambdaInvariantTests {

	private final ViewCatalog catalog = EventStreams.catalog();

	private final Aggregator aggregator = new Aggregator(catalog, IngestEpoch.ofMinutes(5));

	/** Streams of up to 300 records over one to four partitions, of uniformly spread length (no bias towards tiny streams). */
	@Provide
	Arbitrary<List<IngestedEvent>> streams() {
		return Arbitraries.integers().between(1, 4).flatMap(EventStreams::records);
	}

	@Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
	void speedStyleFoldingInAnyPartitioningAndOrderGivesTheBatchCells(@ForAll("streams") List<IngestedEvent> records,
			@ForAll long seed) {
		Random random = new Random(seed);
		Map<CellKey, Object> batch = aggregator.fold(eventsOf(records), EventStreams.NOW);

		Map<Integer, List<IngestedEvent>> byPartition = new HashMap<>();
		records.forEach(r -> byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r));
		List<Map<SpeedCellKey, Object>> partitions = new ArrayList<>();
		for (List<IngestedEvent> partition : byPartition.values()) {
			Collections.shuffle(partition, random);
			Map<SpeedCellKey, Object> cells = new HashMap<>();
			for (IngestedEvent record : partition) {
				aggregator.addSpeed(cells, record, EventStreams.NOW);
			}
			partitions.add(cells);
		}
		Collections.shuffle(partitions, random);
		Map<SpeedCellKey, Object> speed = new HashMap<>();
		for (Map<SpeedCellKey, Object> partition : partitions) {
			speed = aggregator.mergeSpeed(speed, partition);
		}

		assertSameCells(aggregator.collapse(speed), batch);
		assertDistinctWithinErrorBound(batch, eventsOf(records));
	}

	@Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
	void theMergeRuleCountsEveryEventOnceWhereverTheCutFalls(@ForAll("streams") List<IngestedEvent> records,
			@ForAll long seed) {
		IngestEpoch epochs = aggregator.epochs();
		long first = records.stream().mapToLong(IngestedEvent::ingestTimeMillis).min().orElse(0);
		long last = records.stream().mapToLong(IngestedEvent::ingestTimeMillis).max().orElse(0);
		long cut = epochs.cutAtOrBefore(first + (long) (new Random(seed).nextDouble() * (last - first + 1)));

		List<Event> beforeCut = records.stream().filter(r -> r.ingestTimeMillis() < cut).map(IngestedEvent::event).toList();
		Map<CellKey, Object> batchAtCut = aggregator.fold(beforeCut, EventStreams.NOW);
		Map<SpeedCellKey, Object> speed = aggregator.foldSpeed(records, EventStreams.NOW);
		Map<CellKey, Object> answer = aggregator.merge(batchAtCut, aggregator.collapse(speed, epochs.firstSpeedEpoch(cut)));

		assertSameCells(answer, aggregator.fold(eventsOf(records), EventStreams.NOW));
	}

	@Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
	void replayingRecordsAfterACrashChangesNothing(@ForAll("streams") List<IngestedEvent> records, @ForAll long seed) {
		Random random = new Random(seed);
		List<IngestedEvent> partition = records.stream().filter(r -> r.partition() == 0).toList();
		// polls of random size, each written completely and then committed to Kafka; the crash comes in
		// the middle of writing the cells of the last poll, so Kafka's committed offset is that poll's start
		Map<SpeedCellKey, Object> stored = new HashMap<>();
		Map<SpeedCellKey, Long> storedOffsets = new HashMap<>();
		int crashAfter = random.nextInt(partition.size() + 1);
		int committed = 0;
		while (committed < crashAfter) {
			int end = Math.min(crashAfter, committed + 1 + random.nextInt(20));
			boolean crashes = end == crashAfter;
			writePoll(partition.subList(committed, end), stored, storedOffsets, AppliedOffsets.NONE,
					crashes ? random.nextDouble() : 1.0, random);
			if (!crashes) {
				committed = end;
			}
			else {
				break;
			}
		}
		// on restart the partition is read again from the committed offset
		int restartFrom = committed;
		List<IngestedEvent> replay = partition.subList(restartFrom, partition.size());
		writePoll(replay, stored, storedOffsets, cell -> storedOffsets.getOrDefault(cell, -1L), 1.0, random);

		assertSameCells(aggregator.collapse(stored), aggregator.collapse(aggregator.foldSpeed(partition, EventStreams.NOW)));
	}

	/** A poll as the speed layer handles it: fold the records, then write each changed cell with the poll's last offset. */
	private void writePoll(List<IngestedEvent> poll, Map<SpeedCellKey, Object> stored, Map<SpeedCellKey, Long> storedOffsets,
			AppliedOffsets applied, double shareWritten, Random random) {
		if (poll.isEmpty()) {
			return;
		}
		Map<SpeedCellKey, Object> delta = new HashMap<>();
		for (IngestedEvent record : poll) {
			aggregator.addSpeed(delta, record, EventStreams.NOW, applied);
		}
		long lastOffset = poll.get(poll.size() - 1).offset();
		for (Map.Entry<SpeedCellKey, Object> cell : delta.entrySet()) {
			if (random.nextDouble() < shareWritten) {
				Measure<Object> measure = aggregator.measureOf(cell.getKey().cell());
				Object before = stored.get(cell.getKey());
				stored.put(cell.getKey(), before == null ? cell.getValue() : measure.plus(before, cell.getValue()));
				storedOffsets.put(cell.getKey(), lastOffset);
			}
		}
	}

	private static List<Event> eventsOf(List<IngestedEvent> records) {
		return records.stream().map(IngestedEvent::event).toList();
	}

	private void assertSameCells(Map<CellKey, Object> actual, Map<CellKey, Object> expected) {
		assertThat(actual.keySet()).isEqualTo(expected.keySet());
		for (Map.Entry<CellKey, Object> cell : expected.entrySet()) {
			Measure<Object> measure = aggregator.measureOf(cell.getKey());
			Object value = actual.get(cell.getKey());
			assertThat(measure.result(value)).as(cell.getKey().toString()).isEqualTo(measure.result(cell.getValue()));
			if (measure.spec().kind() != MeasureKind.DISTINCT) {
				assertThat(measure.encode(value)).as(cell.getKey().toString()).isEqualTo(measure.encode(cell.getValue()));
			}
		}
	}

	/** Checks each distinct cell against the exact number of distinct values, computed here without sketches. */
	private void assertDistinctWithinErrorBound(Map<CellKey, Object> cells, List<Event> events) {
		Map<CellKey, Set<String>> exact = new HashMap<>();
		long now = EventStreams.NOW.toEpochMilli();
		for (Event event : events) {
			for (ViewDefinition view : catalog.forEventType(event.type())) {
				Object value = view.measure() instanceof Distinct distinct ? event.attribute(distinct.field()) : null;
				String key = view.keyOf(event);
				if (value == null || "".equals(value) || key == null || !view.retains(event.timestampMillis(), now)) {
					continue;
				}
				for (Granularity granularity : view.granularities()) {
					exact.computeIfAbsent(new CellKey(view.name(), key, granularity, granularity.bucketStartMillis(event.timestampMillis())),
							k -> new HashSet<>()).add(value.toString());
				}
			}
		}
		Set<CellKey> distinctCells = new HashSet<>();
		cells.forEach((cell, value) -> {
			if (catalog.get(cell.view()).measure() instanceof Distinct distinct) {
				distinctCells.add(cell);
				int count = exact.get(cell).size();
				assertThat(distinct.result((org.apache.datasketches.hll.HllSketch) value)).as(cell.toString())
						.isCloseTo(count, within(distinct.relativeError(3) * count));
			}
		});
		assertThat(distinctCells).isEqualTo(exact.keySet());
	}
}
