package io.lambda.core.cell;

/**
 * What the speed layer already applied to its stored cells: for a speed cell, the highest Kafka
 * offset folded into it, or {@code -1} when none. A record at or below that offset is a replay and
 * is skipped for that cell (docs/architecture.md, invariant 4), so a restart after a crash changes nothing.
 */
@FunctionalInterface
public interface AppliedOffsets {

	/** Nothing applied yet: every record is new. */
	AppliedOffsets NONE = cell -> -1;

	long highestApplied(SpeedCellKey cell);
}
