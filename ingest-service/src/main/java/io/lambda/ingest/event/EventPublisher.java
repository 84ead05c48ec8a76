package io.lambda.ingest.event;

import io.lambda.ingest.system.IngestProperties;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes a request's events to the events topic, keyed by eventId, and completes only once Kafka
 * has acknowledged every one of them (acks=all, idempotent producer): that is what makes a 202
 * mean durable. Waiting is asynchronous, so no thread is held while Kafka acknowledges.
 *
 * <p>Every record carries the request's W3C {@code traceparent}, so the speed layer and the
 * archiver continue the request's trace. It is written here, once per request, rather than by an
 * observed {@code KafkaTemplate}: that opens an observation (span, timer, tags) per record, which
 * at 100 events a request cost more CPU than the send itself (docs/performance.md, ingest).
 */
@Component
public class EventPublisher {

    private final ProducerFactory<String, byte[]> producers;
    private final IngestProperties properties;
    private final IngestMetrics metrics;
    private final Tracer tracer;
    private final Propagator propagator;

    public EventPublisher(ProducerFactory<String, byte[]> producers, IngestProperties properties, IngestMetrics metrics,
                          ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.producers = producers;
        this.properties = properties;
        this.metrics = metrics;
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.propagator = propagator.getIfAvailable(() -> Propagator.NOOP);
    }

    /** The current request's trace context as record headers (none outside a trace). */
    private List<Header> traceHeaders() {
        Span span = tracer.currentSpan();
        if (span == null) {
            return List.of();
        }
        List<Header> headers = new ArrayList<>(2);
        propagator.inject(span.context(), headers,
                (carrier, name, value) -> carrier.add(new RecordHeader(name, value.getBytes(StandardCharsets.US_ASCII))));
        return headers;
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
        List<Header> headers = traceHeaders();
        // the factory's one shared, thread-safe producer; closing it is a no-op unless it failed for
        // good, in which case the factory replaces it for the next request (as KafkaTemplate does)
        Producer<String, byte[]> producer = null;
        try {
            producer = producers.createProducer();
            int sent = 0;
            for (EncodedEvent event : events) {
                CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(topic, null, event.eventId(), event.value(), headers),
                        (metadata, failure) -> {
                            if (failure != null) {
                                firstFailure.compareAndSet(null, failure);
                                ack.completeExceptionally(failure);
                            } else {
                                ack.complete(metadata);
                            }
                        });
                acks[sent++] = ack;
                if (firstFailure.get() != null) {
                    // e.g. the topic's metadata could not be fetched: the rest would wait and fail alike
                    break;
                }
            }
            all = CompletableFuture.allOf(sent == acks.length ? acks : Arrays.copyOf(acks, sent));
        } catch (RuntimeException e) {
            all = CompletableFuture.failedFuture(e);
        } finally {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
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
