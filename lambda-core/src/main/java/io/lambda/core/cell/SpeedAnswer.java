package io.lambda.core.cell;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * An answer of speed-service's internal interactive-query endpoint ({@code /internal/v1/speed/*}, engine
 * {@code streams}), as query-service reads it: one type on both sides of the wire. The speed cells
 * asked for, each already folded over every partition that answered and every ingest epoch
 * {@code >= fromEpoch}, with its value in the measure's own encoding ({@code Measure.encode},
 * base64 in JSON), the
 * progress of every partition that answered, and the partitions that did not.
 *
 * @param cells             series: one per bucket ({@code bucket}); bucket: one per key ({@code key}), folded
 *                          over every bucket asked for
 * @param keys              keys: the keys asked for, in code point order
 * @param partitions        every partition that answered, with how far it is applied
 * @param missingPartitions partitions that could not be read (restoring, moving, instance unreachable):
 *                          the answer lacks their cells, so the caller must call it partial
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpeedAnswer(List<Cell> cells, List<String> keys, List<Partition> partitions,
                          List<Integer> missingPartitions) {

    /** One cell: its bucket (series) or key (bucket), and its encoded value. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cell(Instant bucket, String key, byte[] value) {
    }

    /**
     * One partition that answered.
     *
     * @param through    the ingest time through which the partition's events are in the cells: when the log ends
     *                   were last listed if it had applied everything below its end (lag 0), else the ingest
     *                   time of the latest record applied; null before any
     * @param nextOffset every record of the partition below this offset is in the cells
     * @param lag        records between {@code nextOffset} and the log end as last listed from the broker (every
     *                   progress interval, 1 s); null when not known (not listed yet, or a standby's answer)
     * @param host       the instance that answered for it ({@code application.server})
     * @param standby    answered from a standby replica, because the instance running the partition did not
     *                   answer (killed or paused, and the group has not moved the partition yet): the cells as
     *                   that instance last committed them; {@code lag} is then unknown
     */
    public record Partition(int partition, Instant through, long nextOffset, Long lag, String host, boolean standby) {
    }
}
