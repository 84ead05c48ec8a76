package io.lambda.speed.cell;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import io.lambda.speed.system.SpeedProperties;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventDecodingException;
import io.lambda.store.trace.ConsumedTraces;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Consumes the events topic in batches. The container commits the batch's offsets only after this
 * method returns, that is after every cell of the batch is written.
 *
 * <p>A poison record (one the {@link EventDeserializer} could not read) ends the batch early: the
 * records before it are applied, then a {@link BatchListenerFailedException} names it, and the
 * container's error handler commits the records before it, dead-letters it and goes on with the
 * records after it. Any other failure (Cassandra unreachable) leaves the whole batch to the error
 * handler, which retries it with back-off while the consumer is paused.
 */
@Component
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "writer", matchIfMissing = true)
class EventsListener {

    static final String ID = "speed";

    private static final LogAccessor LOG = new LogAccessor(LogFactory.getLog(EventsListener.class));

    private final SpeedCellWriter writer;
    private final SpeedProgress progress;
    private final ConsumedTraces traces;

    EventsListener(SpeedCellWriter writer, SpeedProgress progress, ObservationRegistry observations) {
        this.writer = writer;
        this.progress = progress;
        this.traces = new ConsumedTraces(observations, "lambda.speed.apply");
    }

    @KafkaListener(id = ID, idIsGroup = false, topics = "${lambda.events.topic}", batch = "true")
    void onEvents(List<ConsumerRecord<String, Event>> records, Consumer<?, ?> consumer) {
        traces.applying(records, () -> apply(records, consumer));
    }

    private void apply(List<ConsumerRecord<String, Event>> records, Consumer<?, ?> consumer) {
        int poison = firstPoison(records);
        List<ConsumerRecord<String, Event>> valid = poison < 0 ? records : records.subList(0, poison);
        if (!valid.isEmpty()) {
            writer.apply(valid);
            progress.applied(valid);
        }
        progress.report(consumer, false);
        if (poison >= 0) {
            ConsumerRecord<String, Event> record = records.get(poison);
            throw new BatchListenerFailedException("undecodable record " + record.topic() + "-" + record.partition()
                    + "@" + record.offset(), reason(record), poison);
        }
    }

    /** No records for a while: report progress anyway, so an idle topic does not look stale. */
    @EventListener(condition = "event.listenerId.startsWith('" + ID + "')")
    void onIdle(ListenerContainerIdleEvent event) {
        progress.report(event.getConsumer(), true);
    }

    private static int firstPoison(List<ConsumerRecord<String, Event>> records) {
        for (int i = 0, n = records.size(); i < n; i++) {
            if (records.get(i).value() == null) {
                return i;
            }
        }
        return -1;
    }

    private static Exception reason(ConsumerRecord<String, Event> record) {
        DeserializationException exception = SerializationUtils.getExceptionFromHeader(record,
                SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, LOG);
        return exception != null ? exception : new EventDecodingException("record without a value");
    }
}
