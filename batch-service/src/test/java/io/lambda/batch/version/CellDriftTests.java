package io.lambda.batch.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.event.Event;
import io.lambda.core.measure.Count;
import io.lambda.core.measure.Distinct;
import io.lambda.core.measure.Max;
import io.lambda.core.measure.Measure;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.junit.jupiter.api.Test;

class CellDriftTests {

    @SuppressWarnings("unchecked")
    private static <V> Measure<Object> cellMeasure(Measure<V> measure) {
        return (Measure<Object>) measure;
    }

    private static final Measure<Object> COUNT = cellMeasure(new Count());

    private static byte[] count(long value) {
        return COUNT.encode(value);
    }

    @Test
    void batchBeforePlusAbsorbedSpeedEqualToBatchAfterIsNoDrift() {
        CellDrift drift = CellDrift.of(COUNT, count(10), List.of(count(3), count(4)), count(17));

        assertThat(drift).isEqualTo(new CellDrift(0, false));
    }

    @Test
    void aCellTheOldVersionLackedComparesFromZero() {
        assertThat(CellDrift.of(COUNT, null, List.of(count(2)), count(2)).drifting()).isFalse();
    }

    @Test
    void aDuplicateTheSpeedLayerCountedIsPositiveDrift() {
        CellDrift drift = CellDrift.of(COUNT, count(10), List.of(count(3), count(5)), count(17));

        assertThat(drift.difference()).isEqualTo(1.0);
        assertThat(drift.drifting()).isTrue();
    }

    @Test
    void eventsTheSpeedLayerMissedAreNegativeDrift() {
        CellDrift drift = CellDrift.of(COUNT, count(10), List.of(count(3)), count(17));

        assertThat(drift).isEqualTo(new CellDrift(-4.0, true));
    }

    @Test
    void aMaxOnlyTheSpeedSideHasDrifts() {
        Measure<Object> max = cellMeasure(new Max("price"));

        CellDrift drift = CellDrift.of(max, null, List.of(max.encode(7.5)), null);

        assertThat(drift).isEqualTo(new CellDrift(7.5, true));
        assertThat(CellDrift.of(max, null, List.of(), null)).isEqualTo(CellDrift.NONE);
    }

    @Test
    void distinctWithinTheSketchErrorIsNoiseButBeyondItDrifts() {
        Distinct distinct = new Distinct("user"); // 4096 registers: 5% at three standard deviations
        Measure<Object> measure = cellMeasure(distinct);
        HllSketch speed = distinct.zero();
        HllSketch batch = distinct.zero();
        for (int i = 0; i < 5000; i++) {
            speed.update("u" + i);
            batch.update("u" + i);
        }
        batch.update("only-in-batch"); // moves the estimate a little, if at all

        CellDrift noise = CellDrift.of(measure, null, List.of(measure.encode(speed)), measure.encode(batch));
        assertThat(noise.drifting()).isFalse();

        HllSketch half = distinct.zero();
        for (int i = 0; i < 2500; i++) {
            half.update("u" + i);
        }
        CellDrift drift = CellDrift.of(measure, null, List.of(measure.encode(half)), measure.encode(batch));
        assertThat(drift.drifting()).isTrue();
        assertThat(drift.difference()).isNegative();
    }

    @Test
    void countsEventsFoldedTheSameWayOnBothSides() {
        Event event = new Event("e1", "page_view", Instant.parse("2026-01-01T00:00:00Z"), Map.of());
        Object speed = COUNT.add(COUNT.zero(), event);
        Object batch = COUNT.add(COUNT.zero(), event);

        assertThat(CellDrift.of(COUNT, null, List.of(COUNT.encode(speed)), COUNT.encode(batch)).drifting()).isFalse();
    }
}
