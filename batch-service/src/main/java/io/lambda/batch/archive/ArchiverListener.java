package io.lambda.batch.archive;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.event.EventDecodingException;
import io.lambda.store.ArchivedEvent;
import io.lambda.store.ArchiverWatermarks;
import io.lambda.store.LambdaStore;
import io.lambda.store.MasterDataset;
import io.lambda.store.trace.ConsumedTraces;
import io.lambda.core.time.IngestEpoch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The archiver: writes every event of the topic into the master dataset, idempotently, then
 * records per partition the ingest time it is complete through. Offsets are committed only after
 * both, so a crash replays into writes that are no-ops.
 */
@Component
class ArchiverListener {

    private static final Logger log = LoggerFactory.getLogger(ArchiverListener.class);

    private final MasterDataset master;
    private final ArchiverWatermarks watermarks;
    private final EventCodec codec;
    private final IngestEpoch epochs;
    private final Counter archived;
    private final Counter undecodable;
    /** Ingest time of the newest record archived: the lag gauge is how far it trails the clock. */
    private final AtomicLong newestArchived = new AtomicLong();

    private final ConsumedTraces traces;

    ArchiverListener(LambdaStore store, EventCodec codec, IngestEpoch epochs, MeterRegistry meters,
                     ObservationRegistry observations) {
        this.traces = new ConsumedTraces(observations, "lambda.batch.archiver.apply");
        this.master = store.masterDataset();
        this.watermarks = store.watermarks();
        this.codec = codec;
        this.epochs = epochs;
        this.archived = meters.counter("lambda.batch.archiver.events", "outcome", "archived");
        this.undecodable = meters.counter("lambda.batch.archiver.events", "outcome", "undecodable");
        Gauge.builder("lambda.batch.archiver.lag", newestArchived,
                        n -> n.get() == 0 ? Double.NaN : (System.currentTimeMillis() - n.get()) / 1000.0)
                .description("age of the newest archived record's ingest time at the last poll").baseUnit("seconds")
                .register(meters);
    }

    @KafkaListener(id = "archiver", idIsGroup = false, topics = "${lambda.events.topic}", batch = "true")
    void onEvents(List<ConsumerRecord<String, byte[]>> records) {
        traces.applying(records, () -> archive(records));
    }

    private void archive(List<ConsumerRecord<String, byte[]>> records) {
        List<ArchivedEvent> rows = new ArrayList<>(records.size());
        Map<Integer, ConsumerRecord<String, byte[]>> lastByPartition = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            lastByPartition.put(record.partition(), record);
            Event event;
            try {
                event = codec.decode(record.value());
            } catch (EventDecodingException e) {
                undecodable.increment();
                log.warn("Not archiving undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                continue;
            }
            rows.add(new ArchivedEvent(event.eventId(), event.type(), event.timestamp(),
                    Instant.ofEpochMilli(record.timestamp()), record.partition(), record.offset(), record.value()));
        }
        master.archiveAll(rows, epochs).join();
        archived.increment(rows.size());
        // Records of a partition arrive in offset order with non-decreasing LogAppendTime: every
        // event ingested before the last one's ingest time is archived now.
        lastByPartition.values().forEach(last -> newestArchived.accumulateAndGet(last.timestamp(), Math::max));
        CompletableFuture.allOf(lastByPartition.entrySet().stream()
                .map(last -> watermarks.recordAsync(last.getValue().topic(), last.getKey(), new ArchiverWatermarks.Watermark(
                        Instant.ofEpochMilli(last.getValue().timestamp()), last.getValue().offset() + 1)).toCompletableFuture())
                .toArray(CompletableFuture[]::new)).join();
    }
}
