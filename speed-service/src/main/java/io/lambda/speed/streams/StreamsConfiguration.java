package io.lambda.speed.streams;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Admin;
import java.util.Map;
import java.util.HashMap;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.speed.system.SpeedProperties;
import io.lambda.store.LambdaStore;
import io.lambda.store.trace.ConsumedTraces;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Engine {@code streams} ({@code lambda.speed.engine=streams}): the speed cells as Kafka Streams state
 * (docs/speed.md). Nothing here exists with engine {@code writer}, and the writer's listener and
 * Cassandra writes do not exist with this one.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "streams")
class StreamsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StreamsConfiguration.class);

    @Bean
    PublishedCuts publishedCuts(IngestEpoch epochs, SpeedProperties properties) {
        return new PublishedCuts(epochs, properties.expiry().grace());
    }

    @Bean
    CatalogWatch catalogWatch(LambdaStore store, PublishedCuts cuts, SpeedProperties properties) {
        return new CatalogWatch(store, cuts, properties.expiry().enabled());
    }

    @Bean
    SpeedStreams speedStreams(Aggregator aggregator, EventCodec codec, PublishedCuts cuts, MeterRegistry meters,
                              ObservationRegistry observations, SpeedProperties properties, KafkaProperties kafka, KafkaConnectionDetails connection,
                              ApplicationContext context, Environment environment,
                              @Value("${lambda.events.topic}") String topic) {
        SpeedTopology.Settings settings = new SpeedTopology.Settings(topic, properties.dedup().maxAge(),
                properties.expiry().sweepInterval(), properties.expiry().enabled());
        return new SpeedStreams(SpeedTopology.build(settings, aggregator, codec, cuts, meters,
                        new ConsumedTraces(observations, "lambda.speed.apply")),
                () -> streamsConfig(properties, kafka, connection, port(context, environment)), topic, meters);
    }

    @Bean(destroyMethod = "close")
    LogEnds logEnds(KafkaProperties kafka, KafkaConnectionDetails connection, @Value("${lambda.events.topic}") String topic) {
        Map<String, Object> config = new HashMap<>(kafka.buildAdminProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", connection.getAdmin().getBootstrapServers()));
        return new LogEnds(Admin.create(config), topic);
    }

    /** The log ends every progress interval, off the stream threads: a broker that does not answer delays nothing. */
    @Bean
    LogEndsRefresh logEndsRefresh(LogEnds ends) {
        return new LogEndsRefresh(ends);
    }

    static final class LogEndsRefresh {

        private final LogEnds ends;

        LogEndsRefresh(LogEnds ends) {
            this.ends = ends;
        }

        @Scheduled(fixedDelayString = "${lambda.speed.progress-interval}")
        void refresh() {
            ends.refresh();
        }
    }

    @Bean
    LocalSpeedState localSpeedState(SpeedStreams streams, LogEnds ends, ViewCatalog views, SpeedProperties properties,
                                    @Value("${lambda.events.topic}") String topic) {
        return new LocalSpeedState(streams, ends, views, topic, properties.streams().restoreWait());
    }

    static Properties streamsConfig(SpeedProperties properties, KafkaProperties kafka, KafkaConnectionDetails connection,
                                    int port) {
        SpeedProperties.Streams streams = properties.streams();
        Properties config = new Properties();
        config.putAll(kafka.buildStreamsProperties()); // spring.kafka.streams.* and the common client settings
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", connection.getStreams().getBootstrapServers()));
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, streams.applicationId());
        // state, changelog writes, dead letters and input offsets of a task commit in one transaction
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, properties.stateDir());
        config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, streams.advertisedHost() + ":" + port);
        config.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, streams.standbyReplicas());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streams.threads());
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, streams.commitInterval().toMillis());
        config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, streams.cacheMaxBytes());
        if (streams.instanceId() != null && !streams.instanceId().isBlank()) {
            // static membership; Kafka Streams appends the thread's index
            config.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), streams.instanceId());
        }
        return config;
    }

    /** The port this instance's HTTP server listens on (known once it started: the random port of a test). */
    private static int port(ApplicationContext context, Environment environment) {
        if (context instanceof WebServerApplicationContext web && web.getWebServer() != null
                && web.getWebServer().getPort() > 0) {
            return web.getWebServer().getPort();
        }
        return environment.getProperty("server.port", Integer.class, 8080);
    }

    /**
     * Reads the published cut every sweep interval for the tasks' expiry punctuators, off the stream
     * threads: when Cassandra cannot be read, the sweep is skipped and the stream goes on.
     */
    static final class CatalogWatch {

        private final LambdaStore store;
        private final PublishedCuts cuts;
        private final boolean enabled;

        CatalogWatch(LambdaStore store, PublishedCuts cuts, boolean enabled) {
            this.store = store;
            this.cuts = cuts;
            this.enabled = enabled;
        }

        @Scheduled(fixedDelayString = "${lambda.speed.expiry.sweep-interval}")
        void read() {
            if (!enabled) {
                return;
            }
            try {
                cuts.observe(store.catalog().current(), System.currentTimeMillis());
            } catch (RuntimeException e) {
                log.warn("Could not read the published cut for speed expiry; trying again next sweep: {}", e.getMessage());
            }
        }
    }
}
