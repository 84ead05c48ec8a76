package io.lambda.core.cell;

import io.lambda.core.event.Event;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.Granularity;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Folds events into cells: the one aggregation that the batch layer (a Spring Batch chunk of the
 * master dataset) and the speed layer (a Kafka poll) both call. An event counts for every view of
 * its type, in every granularity of that view, in the bucket of its event time.
 *
 * <p>An event a view cannot use is skipped for that view and counted in {@link #stats()}: a missing
 * group-by attribute, a missing or unusable measure field, or an event time older than the view's
 * retention as seen from the {@code now} the caller passes (never the wall clock, so that a run is
 * reproducible). Nothing here throws for a bad event.
 *
 * <p>Cell maps hold each cell's value as {@code Object}, of the value type of the view's measure
 * ({@link ViewDefinition#cellMeasure()} reads them). They belong to the caller, are not
 * thread-safe, and their values are changed in place by {@code add} and {@code mergeInto}. The
 * aggregator itself is immutable apart from its thread-safe stats, so one instance can serve every
 * thread.
 */
public final class Aggregator {

	/** For folds that do not drop old events: every event time is within retention. */
	private static final long NO_RETENTION = Long.MIN_VALUE;

	private final ViewCatalog catalog;

	private final IngestEpoch epochs;

	private final AggregationStats stats;

	public Aggregator(ViewCatalog catalog, IngestEpoch epochs) {
		this(catalog, epochs, new AggregationStats());
	}

	public Aggregator(ViewCatalog catalog, IngestEpoch epochs, AggregationStats stats) {
		this.catalog = Objects.requireNonNull(catalog, "catalog");
		this.epochs = Objects.requireNonNull(epochs, "epochs");
		this.stats = Objects.requireNonNull(stats, "stats");
	}

	public ViewCatalog catalog() {
		return catalog;
	}

	public IngestEpoch epochs() {
		return epochs;
	}

	/** The counts of skipped events, by view and reason. */
	public AggregationStats stats() {
		return stats;
	}

	// ---- batch style: cells by (view, key, granularity, bucket)

	/** Folds {@code events} into new cells, dropping events older than each view's retention at {@code now}. */
	public Map<CellKey, Object> fold(Iterable<Event> events, Instant now) {
		Map<CellKey, Object> cells = new HashMap<>();
		long nowMillis = now.toEpochMilli();
		for (Event event : events) {
			addTo(cells, event, nowMillis, Function.identity());
		}
		return cells;
	}

	/** Folds {@code events} into new cells, whatever their age. */
	public Map<CellKey, Object> fold(Iterable<Event> events) {
		Map<CellKey, Object> cells = new HashMap<>();
		for (Event event : events) {
			addTo(cells, event, NO_RETENTION, Function.identity());
		}
		return cells;
	}

	/** Folds one event into {@code cells}, unless it is older than a view's retention at {@code now}. */
	public void add(Map<CellKey, Object> cells, Event event, Instant now) {
		addTo(cells, event, now.toEpochMilli(), Function.identity());
	}

	/** Folds one event into {@code cells}, whatever its age. */
	public void add(Map<CellKey, Object> cells, Event event) {
		addTo(cells, event, NO_RETENTION, Function.identity());
	}

	/** {@code a ⊕ b} cell by cell, as new cells; {@code a} and {@code b} are not changed. */
	public Map<CellKey, Object> merge(Map<CellKey, Object> a, Map<CellKey, Object> b) {
		Map<CellKey, Object> merged = new HashMap<>(Math.max(16, (a.size() + b.size()) * 4 / 3));
		mergeInto(merged, a);
		mergeInto(merged, b);
		return merged;
	}

	/** Folds {@code source} into {@code target} cell by cell; {@code source} is not changed. */
	public void mergeInto(Map<CellKey, Object> target, Map<CellKey, Object> source) {
		mergeCells(target, source);
	}

	// ---- speed style: cells additionally by ingest epoch and Kafka partition

	/** Folds records into new speed cells, dropping events older than each view's retention at {@code now}. */
	public Map<SpeedCellKey, Object> foldSpeed(Iterable<IngestedEvent> records, Instant now) {
		Map<SpeedCellKey, Object> cells = new HashMap<>();
		for (IngestedEvent record : records) {
			addSpeed(cells, record, now, AppliedOffsets.NONE);
		}
		return cells;
	}

	/** Folds one record into its speed cells (epoch of its ingest time, its partition). */
	public void addSpeed(Map<SpeedCellKey, Object> cells, IngestedEvent record, Instant now) {
		addSpeed(cells, record, now, AppliedOffsets.NONE);
	}

	/**
	 * Folds one record into its speed cells, skipping each cell whose stored state already holds the
	 * record's offset (a replay), as {@code applied} reports it.
	 */
	public void addSpeed(Map<SpeedCellKey, Object> cells, IngestedEvent record, Instant now, AppliedOffsets applied) {
		long epoch = epochs.epochOf(record.ingestTimeMillis());
		int partition = record.partition();
		long offset = record.offset();
		addTo(cells, record.event(), now.toEpochMilli(), cell -> {
			SpeedCellKey speedCell = new SpeedCellKey(cell, epoch, partition);
			return applied == AppliedOffsets.NONE || offset > applied.highestApplied(speedCell) ? speedCell : null;
		});
	}

	/** {@code a ⊕ b} speed cell by speed cell, as new cells; {@code a} and {@code b} are not changed. */
	public Map<SpeedCellKey, Object> mergeSpeed(Map<SpeedCellKey, Object> a, Map<SpeedCellKey, Object> b) {
		Map<SpeedCellKey, Object> merged = new HashMap<>(Math.max(16, (a.size() + b.size()) * 4 / 3));
		mergeCells(merged, a);
		mergeCells(merged, b);
		return merged;
	}

	/** Folds every epoch and partition of {@code speedCells} into plain cells: the speed side of a query with no batch. */
	public Map<CellKey, Object> collapse(Map<SpeedCellKey, Object> speedCells) {
		return collapse(speedCells, Long.MIN_VALUE);
	}

	/**
	 * Folds the speed cells of epochs {@code >= fromEpoch} into plain cells: the speed side of the
	 * merge rule, {@code ⨁ { speed(cell, e, p) : e >= epoch(H), every partition p }}.
	 */
	public Map<CellKey, Object> collapse(Map<SpeedCellKey, Object> speedCells, long fromEpoch) {
		Map<CellKey, Object> cells = new HashMap<>();
		for (Map.Entry<SpeedCellKey, Object> entry : speedCells.entrySet()) {
			SpeedCellKey key = entry.getKey();
			if (key.ingestEpoch() >= fromEpoch) {
				mergeCell(cells, key.cell(), measureOf(key.cell()), entry.getValue());
			}
		}
		return cells;
	}

	/** Each cell's answer: the number a query returns for it ({@code null} for an empty min or max). */
	public Map<CellKey, Double> results(Map<CellKey, Object> cells) {
		Map<CellKey, Double> results = new HashMap<>(Math.max(16, cells.size() * 4 / 3));
		cells.forEach((cell, value) -> results.put(cell, measureOf(cell).result(value)));
		return results;
	}

	/** The measure of the view a cell belongs to; throws for a view the catalog does not hold. */
	public Measure<Object> measureOf(CellKey cell) {
		return catalog.get(cell.view()).cellMeasure();
	}

	// ---- the fold, written once for both styles

	/**
	 * Folds {@code event} into the cells at {@code address(cell)} for each cell it belongs to;
	 * {@code address} returns {@code null} for a cell that must not receive it (a replay).
	 */
	private <K> void addTo(Map<K, Object> cells, Event event, long nowMillis, Function<CellKey, K> address) {
		List<ViewDefinition> views = catalog.forEventType(event.type());
		if (views.isEmpty()) {
			return;
		}
		long eventTime = event.timestampMillis();
		for (int v = 0, n = views.size(); v < n; v++) {
			ViewDefinition view = views.get(v);
			if (nowMillis != NO_RETENTION && !view.retains(eventTime, nowMillis)) {
				stats.record(view.name(), SkipReason.BEYOND_RETENTION);
				continue;
			}
			String key = view.keyOf(event);
			if (key == null) {
				stats.record(view.name(), SkipReason.MISSING_GROUP_BY);
				continue;
			}
			Measure<Object> measure = view.cellMeasure();
			if (!measure.accepts(event)) {
				stats.record(view.name(), event.attribute(measure.field()) == null
						? SkipReason.MISSING_FIELD : SkipReason.INVALID_FIELD);
				continue;
			}
			boolean replayed = false;
			List<Granularity> granularities = view.granularities();
			for (int g = 0, gs = granularities.size(); g < gs; g++) {
				Granularity granularity = granularities.get(g);
				K cell = address.apply(new CellKey(view.name(), key, granularity, granularity.bucketStartMillis(eventTime)));
				if (cell == null) {
					replayed = true;
					continue;
				}
				Object acc = cells.get(cell);
				Object next = measure.add(acc == null ? measure.zero() : acc, event);
				if (next != acc) {
					cells.put(cell, next);
				}
			}
			if (replayed) {
				stats.record(view.name(), SkipReason.REPLAYED);
			}
		}
	}

	private <K> void mergeCells(Map<K, Object> target, Map<K, Object> source) {
		for (Map.Entry<K, Object> entry : source.entrySet()) {
			K key = entry.getKey();
			CellKey cell = key instanceof SpeedCellKey speed ? speed.cell() : (CellKey) key;
			mergeCell(target, key, measureOf(cell), entry.getValue());
		}
	}

	private static <K> void mergeCell(Map<K, Object> target, K key, Measure<Object> measure, Object value) {
		Object existing = target.get(key);
		target.put(key, existing == null ? measure.copy(value) : measure.plusInto(existing, value));
	}
}
