package io.lambda.speed.system;

import io.lambda.core.event.EventDecodingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What happens when a poll cannot be applied. A poison record (undecodable: the listener names it
 * with a {@code BatchListenerFailedException} whose cause is the {@code DeserializationException})
 * is not retryable: it goes at once to {@code <events topic>.dlt}, with the reason in the
 * {@code lambda-dlt-reason} header (and spring-kafka's {@code kafka_dlt-*} headers), and the partition moves on. Anything else (Cassandra
 * unreachable) is retried, the whole poll again, with back-off and without end, the consumer paused
 * in between: nothing is committed, nothing is skipped, and consumption resumes when writes succeed.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    /** The header of a dead letter that says why the record could not be read. */
    static final String REASON_HEADER = "lambda-dlt-reason";

    private static final Logger log = LoggerFactory.getLogger(KafkaConfiguration.class);

    @Bean
    NewTopic deadLetterTopic(@Value("${lambda.events.topic}") String topic,
                             @Value("${lambda.events.partitions}") int partitions) {
        return TopicBuilder.name(topic + ".dlt").partitions(partitions).build();
    }

    /** Engine {@code writer} only: engine {@code streams} dead-letters from its processor, inside its transaction. */
    @Bean
    @ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "writer", matchIfMissing = true)
    DefaultErrorHandler speedErrorHandler(KafkaOperations<Object, Object> template, SpeedProperties properties,
                                          MeterRegistry meters) {
        Counter deadLettered = meters.counter("lambda.speed.events", "outcome", "dead_lettered");
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
                (record, exception) -> new TopicPartition(record.topic() + ".dlt", -1)) {
            @Override
            public void accept(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception exception) {
                super.accept(record, consumer, exception);
                deadLettered.increment();
                log.warn("Dead-lettered {}-{}@{} to {}.dlt: {}", record.topic(), record.partition(), record.offset(),
                        record.topic(), reason(exception));
            }
        };
        // spring-kafka's own headers name the exception ("failed to deserialize"); this one says what is wrong
        recoverer.addHeadersFunction((record, exception) -> new RecordHeaders().add(REASON_HEADER,
                reason(exception).getBytes(StandardCharsets.UTF_8)));
        ExponentialBackOff backOff = new ExponentialBackOff(properties.retry().initial().toMillis(), 2.0);
        backOff.setMaxInterval(properties.retry().max().toMillis());
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        backOff.setMaxAttempts(Long.MAX_VALUE);
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        // a record without a value never reaches the deserializer: the listener names it with this
        handler.addNotRetryableExceptions(EventDecodingException.class);
        // poison is logged once, when dead-lettered; a failing write is logged by the retry listener
        handler.setLogLevel(org.springframework.kafka.KafkaException.Level.DEBUG);
        handler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception exception, int attempt) {
                // a poison record on its way to the DLT: logged there
            }

            @Override
            public void failedDelivery(ConsumerRecords<?, ?> records, Exception exception, int attempt) {
                if (!isPoison(exception) && (attempt == 1 || attempt % 10 == 0)) {
                    log.warn("Could not apply a poll of {} records (attempt {}); consumption paused, retrying: {}",
                            records.count(), attempt, reason(exception));
                }
            }
        });
        return handler;
    }

    private static boolean isPoison(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof EventDecodingException || cause instanceof DeserializationException) {
                return true;
            }
        }
        return false;
    }

    /** What went wrong, in one line: lambda-core's decoding message when there is one, else the root cause. */
    private static String reason(Throwable exception) {
        Throwable cause = exception;
        while (true) {
            if (cause instanceof EventDecodingException) {
                return cause.getMessage();
            }
            if (cause.getCause() == null || cause.getCause() == cause) {
                return cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
            cause = cause.getCause();
        }
    }
}
