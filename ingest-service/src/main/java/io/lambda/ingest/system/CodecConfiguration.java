package io.lambda.ingest.system;

import io.lambda.core.event.EventCodec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CodecConfiguration {

    /** The record format on the events topic, owned by lambda-core so batch and speed decode it alike. */
    @Bean
    EventCodec eventCodec() {
        return new EventCodec();
    }
}
