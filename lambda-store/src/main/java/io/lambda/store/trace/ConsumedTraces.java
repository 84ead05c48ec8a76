package io.lambda.store.trace;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continues, in the batch listeners of the speed layer and the archiver, the traces that ingest
 * requests started. spring-kafka observes record listeners only, and one poll holds the records of
 * many requests, so this opens one observation per sampled trace among a poll's records, as a child
 * of the ingest request's span (the W3C {@code traceparent} header the ingest service's
 * EventPublisher writes on every record of the request), and stops it once the poll is applied. Unsampled and untraced
 * records cost a header lookup.
 *
 * <p>Each observation logs one DEBUG line inside its scope, so the trace id shows in the log's
 * correlation field: {@code logging.level.io.lambda.store.trace=debug} follows a request into a consumer.
 */
public final class ConsumedTraces {

    private static final Logger log = LoggerFactory.getLogger(ConsumedTraces.class);
    private static final String TRACEPARENT = "traceparent";

    private final ObservationRegistry registry;
    private final String name;

    /** {@code name}: the observation's name, e.g. {@code lambda.speed.apply}. */
    public ConsumedTraces(ObservationRegistry registry, String name) {
        this.registry = registry;
        this.name = name;
    }

    /** Observations of a poll's sampled traces; {@link #close} stops them (after the poll was applied or failed). */
    public final class Poll implements AutoCloseable {
        private final List<Observation> observations;

        private Poll(List<Observation> observations) {
            this.observations = observations;
        }

        public int traces() {
            return observations.size();
        }

        public void failed(Throwable error) {
            observations.forEach(o -> o.error(error));
        }

        @Override
        public void close() {
            observations.forEach(Observation::stop);
        }
    }

    /** Applies a poll ({@code apply}) inside the observations of its sampled traces; rethrows what it throws. */
    public void applying(List<? extends ConsumerRecord<?, ?>> records, Runnable apply) {
        try (Poll poll = start(records)) {
            try {
                apply.run();
            } catch (RuntimeException | Error e) {
                poll.failed(e);
                throw e;
            }
        }
    }

    /** Starts one observation per distinct sampled trace among {@code records}. */
    public Poll start(List<? extends ConsumerRecord<?, ?>> records) {
        if (registry.isNoop()) {
            return new Poll(List.of());
        }
        Map<String, ConsumerRecord<?, ?>> firstByTrace = new LinkedHashMap<>();
        Map<String, Integer> recordsByTrace = new LinkedHashMap<>();
        for (ConsumerRecord<?, ?> record : records) {
            String traceparent = traceparent(record);
            if (traceparent != null && sampled(traceparent)) {
                String traceId = traceparent.substring(3, 35);
                firstByTrace.putIfAbsent(traceId, record);
                recordsByTrace.merge(traceId, 1, Integer::sum);
            }
        }
        List<Observation> observations = new ArrayList<>(firstByTrace.size());
        firstByTrace.forEach((traceId, record) -> {
            ReceiverContext<ConsumerRecord<?, ?>> context = new ReceiverContext<>(ConsumedTraces::header);
            context.setCarrier(record);
            context.setRemoteServiceName("kafka");
            Observation observation = Observation.createNotStarted(name, () -> context, registry)
                    .lowCardinalityKeyValue("topic", record.topic())
                    .start();
            try (Observation.Scope scope = observation.openScope()) {
                log.debug("Applying {} record(s) of this trace from {}-{}, first offset {}",
                        recordsByTrace.get(traceId), record.topic(), record.partition(), record.offset());
            }
            observations.add(observation);
        });
        return new Poll(observations);
    }

    /**
     * Whether a record with these headers carries a sampled trace, i.e. whether {@link #start} would
     * observe it: a one-record consumer (a stream processor) asks first and skips the rest otherwise.
     */
    public boolean continues(Headers headers) {
        if (registry.isNoop()) {
            return false;
        }
        Header header = headers.lastHeader(TRACEPARENT);
        if (header == null || header.value().length != 55) {
            return false;
        }
        return sampled(new String(header.value(), StandardCharsets.UTF_8));
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String traceparent(ConsumerRecord<?, ?> record) {
        String value = header(record, TRACEPARENT);
        // version-traceid-parentid-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2
        return value != null && value.length() == 55 ? value : null;
    }

    private static boolean sampled(String traceparent) {
        return (Integer.parseInt(traceparent.substring(53, 55), 16) & 1) == 1;
    }
}
