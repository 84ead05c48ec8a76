package io.lambda.ingest.event;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.ingest.system.IngestProperties;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes a request's events to the events topic, keyed by eventId, and returns only once Kafka
 * has acknowledged every one of them (acks=all, idempotent producer): that is what makes a 202
 * mean durable.
 */
@Component
public class EventPublisher {

    private final KafkaTemplate<String, byte[]> kafka;
    private final EventCodec codec;
    private final IngestProperties properties;

    public EventPublisher(KafkaTemplate<String, byte[]> kafka, EventCodec codec, IngestProperties properties) {
        this.kafka = kafka;
        this.codec = codec;
        this.properties = properties;
    }

    public void publishAll(List<Event> events) {
        String topic = properties.topic().name();
        CompletableFuture<?>[] acks;
        try {
            acks = events.stream()
                    .map(e -> kafka.send(topic, e.eventId(), codec.encode(e)))
                    .toArray(CompletableFuture[]::new);
        } catch (RuntimeException e) {
            // send() itself fails when the topic's metadata cannot be fetched within max.block.ms
            throw new KafkaUnavailableException("Kafka could not take the events: " + e.getMessage(), e);
        }
        try {
            CompletableFuture.allOf(acks).get(properties.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka did not acknowledge the events within "
                    + properties.ackTimeout().toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new KafkaUnavailableException("Kafka refused the events: " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("Interrupted while waiting for Kafka", e);
        }
    }
}
