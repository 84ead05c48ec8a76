package io.lambda.batch.version;

import io.lambda.core.measure.Distinct;
import io.lambda.core.measure.Measure;
import java.util.List;

/**
 * What one cell's answer did when a publish absorbed its speed cells: before the publish a query
 * answered {@code batch_before ⊕ speed(absorbed epochs)}, after it {@code batch_after}
 * (docs/architecture.md: the same events on both sides). {@code difference} is the first minus the
 * second, as query results.
 *
 * <p>It is 0 for the exact measures (count, sum, min, max) unless the speed layer counted a duplicate
 * the batch layer dropped (the speed side is then higher) or something is wrong. A distinct (HLL)
 * answer may move within the sketch's error, so it only counts as drifting beyond three standard
 * deviations of it.
 *
 * @param difference speed-side answer minus batch answer; for a min or max that one side lacks,
 *                   the other side's value (its sign says which side had it)
 * @param drifting   whether the difference is more than the measure's noise
 */
public record CellDrift(double difference, boolean drifting) {

    static final CellDrift NONE = new CellDrift(0, false);

    /**
     * Compares one cell. {@code batchBefore} and {@code batchAfter} are the encoded batch values of the
     * versions before and after the publish (null: the version has no such cell); {@code absorbedSpeed}
     * the encoded speed cells of the absorbed epochs, every partition.
     */
    public static CellDrift of(Measure<Object> measure, byte[] batchBefore, List<byte[]> absorbedSpeed,
                               byte[] batchAfter) {
        Object speedSide = batchBefore == null ? measure.zero() : measure.decode(batchBefore);
        for (byte[] speed : absorbedSpeed) {
            speedSide = measure.plusInto(speedSide, measure.decode(speed));
        }
        Double expected = measure.result(speedSide);
        Double actual = measure.result(batchAfter == null ? measure.zero() : measure.decode(batchAfter));
        if (expected == null && actual == null) {
            return NONE;
        }
        if (expected == null || actual == null) { // a min or max only one side has
            return new CellDrift(expected == null ? -actual : expected, true);
        }
        double difference = expected - actual;
        double noise = ((Measure<?>) measure) instanceof Distinct distinct ? distinct.relativeError(3) * Math.abs(actual) : 0;
        return new CellDrift(difference, Math.abs(difference) > noise);
    }
}
