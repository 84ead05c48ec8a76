package io.lambda.ingest.event;

import io.lambda.ingest.system.IngestProperties;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes a request's events to the events topic, keyed by eventId, and completes only once Kafka
 * has acknowledged every one of them (acks=all, idempotent producer): that is what makes a 202
 * mean durable. Waiting is asynchronous, so no thread is held while Kafka acknowledges.
 */
@Component
public class EventPublisher {

    private final KafkaTemplate<String, byte[]> kafka;
    private final IngestProperties properties;
    private final IngestMetrics metrics;

    public EventPublisher(KafkaTemplate<String, byte[]> kafka, IngestProperties properties, IngestMetrics metrics) {
        this.kafka = kafka;
        this.properties = properties;
        this.metrics = metrics;
    }

    /**
     * Sends every event; the future completes when all are acknowledged, or fails with
     * {@link KafkaUnavailableException} when one is refused or they are not all acknowledged within
     * the ack timeout after the last send.
     */
    CompletableFuture<Void> publish(List<EncodedEvent> events) {
        String topic = properties.topic().name();
        long start = System.nanoTime();
        metrics.sending(events.size());
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        CompletableFuture<?>[] acks = new CompletableFuture<?>[events.size()];
        CompletableFuture<Void> all;
        try {
            int sent = 0;
            for (EncodedEvent event : events) {
                CompletableFuture<?> ack = kafka.send(topic, event.eventId(), event.value());
                ack.whenComplete((result, failure) -> {
                    if (failure != null) {
                        firstFailure.compareAndSet(null, failure);
                    }
                });
                acks[sent++] = ack;
                if (firstFailure.get() != null) {
                    // e.g. the topic's metadata could not be fetched: the rest would wait and fail alike
                    break;
                }
            }
            all = CompletableFuture.allOf(sent == acks.length ? acks : java.util.Arrays.copyOf(acks, sent));
        } catch (RuntimeException e) {
            all = CompletableFuture.failedFuture(e);
        }
        long timeoutMillis = properties.ackTimeout().toMillis();
        CompletableFuture<Void> result = new CompletableFuture<>();
        all.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((ok, failure) -> {
            metrics.sent(events.size(), start, failure == null);
            if (failure == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(unavailable(unwrap(failure), timeoutMillis, events));
            }
        });
        return result;
    }

    private static KafkaUnavailableException unavailable(Throwable failure, long timeoutMillis,
                                                         List<EncodedEvent> events) {
        List<String> ids = events.stream().map(EncodedEvent::eventId).toList();
        if (failure instanceof TimeoutException) {
            return new KafkaUnavailableException("Kafka did not acknowledge every event within " + timeoutMillis
                    + " ms", ids, failure);
        }
        Throwable cause = unwrap(failure.getCause() != null ? failure.getCause() : failure);
        return new KafkaUnavailableException("Kafka did not take the events: " + cause.getMessage(), ids, failure);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
