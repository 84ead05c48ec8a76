package io.lambda.speed.cell;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import io.lambda.core.event.Event;
import io.lambda.speed.system.SpeedProperties;
import io.lambda.store.SpeedPartitionProgress;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This instance's progress on the partitions it owns: the lag per partition as a gauge
 * ({@code lambda.speed.lag}), and, every {@code lambda.speed.progress-interval}, a row per partition in
 * {@code speed_progress} (ingest time applied through, next offset, lag) from which the query side
 * answers {@code speedThrough}. Rows are written only after the cells they report on; a failed
 * progress write is logged and retried at the next report, it never holds the stream back.
 * Called on the consumer thread only.
 */
@Component
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "writer", matchIfMissing = true)
class SpeedProgress {

    private static final Logger log = LoggerFactory.getLogger(SpeedProgress.class);

    private record Applied(Instant through, long nextOffset) {
    }

    private final SpeedPartitionProgress table;
    private final String topic;
    private final long intervalMillis;
    private final MeterRegistry meters;
    private final Map<Integer, Applied> applied = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> lags = new ConcurrentHashMap<>();
    private final Map<Integer, Gauge> lagGauges = new ConcurrentHashMap<>();
    private long lastReportMillis;

    SpeedProgress(SpeedPartitionProgress table, @Value("${lambda.events.topic}") String topic,
                  SpeedProperties properties, MeterRegistry meters) {
        this.table = table;
        this.topic = topic;
        this.intervalMillis = properties.progressInterval().toMillis();
        this.meters = meters;
    }

    /** Records (in offset order per partition) whose cells are written. */
    void applied(List<ConsumerRecord<String, Event>> records) {
        for (ConsumerRecord<String, Event> record : records) {
            applied.put(record.partition(), new Applied(Instant.ofEpochMilli(record.timestamp()), record.offset() + 1));
        }
    }

    /** Updates the lag gauges and, once per interval (or when {@code force}d), the progress table. */
    void report(Consumer<?, ?> consumer, boolean force) {
        long now = System.currentTimeMillis();
        List<SpeedPartitionProgress.Partition> rows = new ArrayList<>();
        boolean write = force || now - lastReportMillis >= intervalMillis;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isEmpty()) {
                continue;
            }
            lagOf(tp.partition()).set(lag.getAsLong());
            Applied done = applied.get(tp.partition());
            if (write && (done != null || lag.getAsLong() == 0)) {
                long next = done != null ? done.nextOffset() : consumer.position(tp);
                rows.add(new SpeedPartitionProgress.Partition(tp.partition(), done == null ? null : done.through(), next,
                        lag.getAsLong(), Instant.ofEpochMilli(now)));
            }
        }
        if (write) {
            lastReportMillis = now;
            if (!rows.isEmpty()) {
                table.write(topic, rows).exceptionally(e -> {
                    log.warn("Could not write the speed progress of {}: {}", topic, e.getMessage());
                    return null;
                });
            }
        }
    }

    void forget(Collection<Integer> partitions) {
        for (Integer partition : partitions) {
            applied.remove(partition);
            lags.remove(partition);
            Gauge gauge = lagGauges.remove(partition);
            if (gauge != null) {
                meters.remove(gauge);
            }
        }
    }

    private AtomicLong lagOf(int partition) {
        return lags.computeIfAbsent(partition, p -> {
            AtomicLong lag = new AtomicLong();
            lagGauges.put(p, Gauge.builder("lambda.speed.lag", lag, AtomicLong::get)
                    .description("records between this instance's position and the log end, per partition")
                    .tag("partition", Integer.toString(p)).register(meters));
            return lag;
        });
    }
}
