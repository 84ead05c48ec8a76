package io.lambda.core.cell;

/** Why an event was not folded into a view's cells. */
public enum SkipReason {

	/** The event lacks one of the view's group-by attributes. */
	MISSING_GROUP_BY,

	/** The event lacks the attribute the measure reads. */
	MISSING_FIELD,

	/** The attribute the measure reads is not usable: not a finite number for sum, min and max, empty for distinct. */
	INVALID_FIELD,

	/** The event time is older than the view's retention, counted from the "now" the caller passed. */
	BEYOND_RETENTION,

	/** Speed only: the record's offset was already applied to a cell it belongs to (a replay after a restart). */
	REPLAYED
}
