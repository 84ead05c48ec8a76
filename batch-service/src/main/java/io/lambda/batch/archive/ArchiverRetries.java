package io.lambda.batch.archive;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The archiver never skips a record: a poll whose writes fail (Cassandra overloaded or down) is
 * retried with a growing pause, forever, and its offsets are not committed meanwhile. Skipping
 * would lose events from the master dataset for good, and the watermark would move past them.
 * Spring Kafka's default gives up after a few attempts and commits; Boot applies this handler to
 * the listener container instead.
 */
@Configuration(proxyBeanMethods = false)
class ArchiverRetries {

    @Bean
    CommonErrorHandler archiverErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        DefaultErrorHandler handler = new DefaultErrorHandler((record, e) -> {
            throw new IllegalStateException("the archiver never skips a record", e);
        }, backOff);
        handler.setLogLevel(org.springframework.kafka.KafkaException.Level.WARN);
        return handler;
    }
}
