package io.lambda.ingest.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The ingest service's meters:
 * <ul>
 * <li>{@code lambda.ingest.events} (counter, {@code outcome} accepted|rejected, {@code reason}): events by
 *     what became of them; events of a request rejected before they could be counted (unreadable, too
 *     large to read) are not in it, but their request is in {@code lambda.ingest.requests}</li>
 * <li>{@code lambda.ingest.requests} (counter, same tags): requests by outcome</li>
 * <li>{@code lambda.ingest.request.size} (summary, bytes, {@code format} json|ndjson): body bytes read</li>
 * <li>{@code lambda.ingest.kafka.send} (timer, {@code outcome} acknowledged|failed): from the first send
 *     of a request to the last acknowledgement</li>
 * <li>{@code lambda.ingest.inflight.requests} / {@code lambda.ingest.inflight.events} (gauges): requests
 *     and events handed to Kafka and not yet acknowledged</li>
 * </ul>
 */
@Component
public class IngestMetrics {

    static final String ACCEPTED = "accepted";
    static final String REJECTED = "rejected";

    private final MeterRegistry registry;
    private final AtomicInteger inflightRequests = new AtomicInteger();
    private final AtomicLong inflightEvents = new AtomicLong();
    private final Timer acknowledged;
    private final Timer failed;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("lambda.ingest.inflight.requests", inflightRequests);
        registry.gauge("lambda.ingest.inflight.events", inflightEvents);
        this.acknowledged = sendTimer("acknowledged");
        this.failed = sendTimer("failed");
    }

    private Timer sendTimer(String outcome) {
        return Timer.builder("lambda.ingest.kafka.send")
                .description("From the first send of a request to the last acknowledgement by Kafka")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    void requestSize(String format, long bytes) {
        DistributionSummary.builder("lambda.ingest.request.size")
                .description("Body bytes read per ingest request")
                .baseUnit("bytes")
                .tag("format", format)
                .register(registry)
                .record(bytes);
    }

    void accepted(int events) {
        outcome(ACCEPTED, "none", events);
    }

    void rejected(String reason, int events) {
        outcome(REJECTED, reason, events);
    }

    private void outcome(String outcome, String reason, int events) {
        Counter.builder("lambda.ingest.requests").tag("outcome", outcome).tag("reason", reason)
                .register(registry).increment();
        if (events > 0) {
            Counter.builder("lambda.ingest.events").description("Events by outcome and reason")
                    .tag("outcome", outcome).tag("reason", reason)
                    .register(registry).increment(events);
        }
    }

    void sending(int events) {
        inflightRequests.incrementAndGet();
        inflightEvents.addAndGet(events);
    }

    void sent(int events, long startNanos, boolean ok) {
        inflightRequests.decrementAndGet();
        inflightEvents.addAndGet(-events);
        (ok ? acknowledged : failed).record(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
