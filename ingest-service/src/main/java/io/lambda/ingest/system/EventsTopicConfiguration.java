package io.lambda.ingest.system;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

/**
 * Creates the events topic if it is missing. {@code LogAppendTime}: the broker stamps each record,
 * and that stamp is the event's ingest time, on which the batch cut is taken (docs/architecture.md).
 */
@Configuration(proxyBeanMethods = false)
class EventsTopicConfiguration {

    @Bean
    NewTopic eventsTopic(IngestProperties properties) {
        return TopicBuilder.name(properties.topic().name())
                .partitions(properties.topic().partitions())
                .replicas(1)
                .config(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")
                .build();
    }
}
