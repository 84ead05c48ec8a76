package io.lambda.core.cell;

/**
 * The address of a speed cell: a cell split further by the ingest epoch and the Kafka partition of
 * the events folded into it. The epoch lets a query take only what a batch has not absorbed; the
 * partition gives every speed cell a single writer, which makes replays detectable by offset.
 */
public record SpeedCellKey(CellKey cell, long ingestEpoch, int partition) {

	public SpeedCellKey {
		if (cell == null) {
			throw new IllegalArgumentException("speed cell key needs a cell");
		}
	}
}
