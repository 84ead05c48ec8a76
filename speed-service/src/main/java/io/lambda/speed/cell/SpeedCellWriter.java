package io.lambda.speed.cell;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.event.EventDecodingException;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.measure.Measure;
import io.lambda.store.LambdaStore;
import io.lambda.store.SpeedCells;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Folds a poll's records into speed cells through lambda-core and writes them to Cassandra as
 * absolute values with the highest offset applied (SEMANTICS invariant 4).
 *
 * <p>Why replay is harmless: all of a poll's records are folded before any cell is written, and
 * every cell written carries the poll's last offset of its partition. Kafka's committed offset
 * moves only after every write succeeded. After a crash, replay starts at the committed offset; a
 * replayed record at or below a cell's stored offset is skipped for that cell, and a record that
 * never touched the cell would not touch it now either. So each record lands in each cell once.
 */
@Component
public class SpeedCellWriter {

    private static final Logger log = LoggerFactory.getLogger(SpeedCellWriter.class);

    /** What this instance knows a stored cell holds: its value and the highest offset applied. */
    private record Known(Object value, long highestOffset) {
    }

    private final Aggregator aggregator;
    private final EventCodec codec;
    private final SpeedCells cells;
    private final Map<SpeedCellKey, Known> known = new ConcurrentHashMap<>();
    private final Counter undecodable;
    private final Counter applied;

    public SpeedCellWriter(Aggregator aggregator, EventCodec codec, LambdaStore store, MeterRegistry meters) {
        this.aggregator = aggregator;
        this.codec = codec;
        this.cells = store.speedCells();
        this.undecodable = meters.counter("lambda.speed.records", "outcome", "undecodable");
        this.applied = meters.counter("lambda.speed.records", "outcome", "applied");
    }

    /** Folds and writes one poll; returns only when every cell write is acknowledged. */
    public void apply(List<ConsumerRecord<String, byte[]>> records) {
        Instant now = Instant.now();
        Map<SpeedCellKey, Object> delta = new HashMap<>();
        Map<Integer, Long> lastOffsetByPartition = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            lastOffsetByPartition.merge(record.partition(), record.offset(), Math::max);
            Event event;
            try {
                event = codec.decode(record.value());
            } catch (EventDecodingException e) {
                undecodable.increment();
                log.warn("Skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                continue;
            }
            aggregator.addSpeed(delta, new IngestedEvent(event, record.timestamp(), record.partition(),
                    record.offset()), now, cell -> knownOf(cell).highestOffset());
            applied.increment();
        }
        if (delta.isEmpty()) {
            return;
        }
        Map<SpeedCellKey, Known> next = new HashMap<>(delta.size());
        CompletableFuture<?>[] writes = new CompletableFuture<?>[delta.size()];
        int i = 0;
        for (Map.Entry<SpeedCellKey, Object> entry : delta.entrySet()) {
            SpeedCellKey key = entry.getKey();
            Measure<Object> measure = aggregator.measureOf(key.cell());
            Known before = knownOf(key);
            Object value = measure.plus(before.value() == null ? measure.zero() : before.value(), entry.getValue());
            long offset = lastOffsetByPartition.get(key.partition());
            next.put(key, new Known(value, offset));
            writes[i++] = cells.write(key, measure.encode(value), offset).toCompletableFuture();
        }
        CompletableFuture.allOf(writes).join();
        known.putAll(next);
    }

    /** Forgets the cells of partitions this instance no longer owns: their new owner writes them now. */
    public void forget(java.util.Collection<Integer> partitions) {
        known.keySet().removeIf(key -> partitions.contains(key.partition()));
    }

    private Known knownOf(SpeedCellKey key) {
        return known.computeIfAbsent(key, k -> {
            Optional<SpeedCells.Stored> stored = cells.read(k);
            return stored.map(s -> new Known(aggregator.measureOf(k.cell()).decode(s.value()), s.highestOffset()))
                    .orElse(new Known(null, -1));
        });
    }
}
