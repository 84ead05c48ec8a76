package io.lambda.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambda.ingest.system.IngestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * What a 202 waits for, with the producer faked (the real broker is in the integration tests):
 * a request's future completes only once Kafka has acknowledged every one of its records, and fails
 * as soon as one is refused or when they are not all acknowledged within the ack timeout.
 */
class EventPublisherTests {

    private final ReusedMockProducer producer = new ReusedMockProducer();

    @Test
    void completesOnlyWhenTheLastRecordIsAcknowledged() throws Exception {
        CompletableFuture<Void> request = publisher(Duration.ofSeconds(30)).publish(events("a", "b", "c"));

        assertThat(producer.history()).extracting(r -> r.key()).containsExactly("a", "b", "c");
        assertThat(producer.completeNext()).isTrue();
        assertThat(producer.completeNext()).isTrue();
        assertThat(request).isNotDone();
        assertThat(producer.completeNext()).isTrue();
        request.get(5, TimeUnit.SECONDS);
        assertThat(request).isCompleted();
    }

    @Test
    void failsWhenOneRecordIsRefusedEvenIfTheOthersAreAcknowledged() {
        CompletableFuture<Void> request = publisher(Duration.ofSeconds(30)).publish(events("a", "b", "c"));

        producer.completeNext();
        producer.errorNext(new NotEnoughReplicasException("min.insync.replicas not met"));
        producer.completeNext();

        assertThatThrownBy(() -> request.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(KafkaUnavailableException.class)
                .hasMessageContaining("min.insync.replicas not met");
    }

    @Test
    void failsWhenNotEveryRecordIsAcknowledgedWithinTheAckTimeout() {
        CompletableFuture<Void> request = publisher(Duration.ofMillis(200)).publish(events("a", "b"));

        producer.completeNext(); // the second is never acknowledged

        assertThatThrownBy(() -> request.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(KafkaUnavailableException.class)
                .hasMessageContaining("did not acknowledge every event within 200 ms");
    }

    private EventPublisher publisher(Duration ackTimeout) {
        IngestProperties properties = new IngestProperties(new IngestProperties.Topic("events", 6), ackTimeout,
                Duration.ofSeconds(5), 1000, 1 << 20, Duration.ofMinutes(5), 1000,
                new IngestProperties.Ndjson(1000, 65536, 1 << 20));
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        return new EventPublisher(() -> producer, properties, new IngestMetrics(new SimpleMeterRegistry()),
                beans.getBeanProvider(Tracer.class), beans.getBeanProvider(Propagator.class));
    }

    private static List<EncodedEvent> events(String... ids) {
        return Arrays.stream(ids)
                .map(id -> new EncodedEvent(id, ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    /** Like the factory's shared producer: closing it after a request does not end it. */
    private static final class ReusedMockProducer extends MockProducer<String, byte[]> {
        ReusedMockProducer() {
            super(false, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public void close(Duration timeout) {
        }
    }
}
