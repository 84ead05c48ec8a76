package io.lambda.query.system;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.time.IngestEpoch;
import io.lambda.query.layer.BatchCellCache;
import io.lambda.query.layer.CassandraSpeedReads;
import io.lambda.query.layer.InteractiveSpeedReads;
import io.lambda.query.layer.Layer;
import io.lambda.query.layer.LayerGuards;
import io.lambda.query.layer.LayerReads;
import io.lambda.query.layer.SharedSpeedProgress;
import io.lambda.query.layer.SpeedProgress;
import io.lambda.query.layer.SpeedReads;
import io.lambda.query.view.BatchSpeedMerge;
import io.lambda.query.view.UtcTimes;
import io.lambda.store.LambdaStore;
import io.lambda.store.SpeedPartitionProgress;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.json.JsonMapper;

/** The read path: guarded, cached layer reads and the merge over them. */
@Configuration(proxyBeanMethods = false)
class QueryConfiguration {

    @Bean(destroyMethod = "close")
    LayerGuards layerGuards(QueryProperties properties, MeterRegistry meters) {
        return new LayerGuards(properties.layers(), meters);
    }

    /** Times in REST answers written as GraphQL writes them, without the JDK's formatter per time ({@link UtcTimes}). */
    @Bean
    JacksonModule utcTimes() {
        return UtcTimes.jsonModule();
    }

    @Bean
    BatchCellCache batchCellCache(QueryProperties properties, MeterRegistry meters) {
        return new BatchCellCache(properties.batchCache().maxBytes(), meters);
    }

    @Bean
    LayerReads layerReads(LambdaStore store, LayerGuards guards, SpeedReads speedReads, BatchCellCache cache,
                          QueryProperties properties) {
        return new LayerReads(store, guards.get(Layer.CATALOG), guards.get(Layer.BATCH), guards.get(Layer.SPEED),
                speedReads, cache, properties.catalogMaxAge());
    }

    /** Engine {@code writer}: speed cells are rows of the Cassandra speed tables. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "lambda.speed.engine", havingValue = "writer")
    static class CassandraSpeed {

        @Bean
        SpeedReads speedReads(LambdaStore store, LayerGuards guards) {
            return new CassandraSpeedReads(store, guards.get(Layer.SPEED));
        }

        /**
         * The speed layer's progress from the table speed-service writes ({@code speed_progress}):
         * complete through the oldest partition's applied ingest time. Unreadable or not yet
         * reported → empty, shown as {@code null}, never a guess. Read at most once per
         * {@code lambda.query.speed-progress-max-age}, shared by the queries of that time.
         */
        @Bean
        @ConditionalOnMissingBean
        SpeedProgress speedProgress(CqlSession session, LambdaStore store, QueryProperties properties,
                                    @Value("${lambda.events.topic}") String topic,
                                    @Value("${lambda.events.partitions}") int partitions) {
            SpeedPartitionProgress progress = new SpeedPartitionProgress(session, store.settings());
            return new SharedSpeedProgress(() -> {
                try {
                    return progress.speedThrough(topic, partitions);
                } catch (RuntimeException e) {
                    return Optional.empty();
                }
            }, properties.speedProgressMaxAge());
        }
    }

    /** Engine {@code streams}: speed cells are read from speed-service's stores by interactive queries. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "lambda.speed.engine", havingValue = "streams")
    static class InteractiveSpeed {

        @Bean
        InteractiveSpeedReads interactiveSpeedReads(LayerGuards guards, QueryProperties properties, JsonMapper json) {
            QueryProperties.Speed speed = properties.speed();
            if (speed.apiKey() == null || speed.apiKey().isBlank()) {
                throw new IllegalStateException("lambda.speed.engine=streams reads speed cells from speed-service: "
                        + "set lambda.query.speed.api-key to a key speed-service accepts with scope internal");
            }
            return new InteractiveSpeedReads(speed.url(), speed.apiKey(), guards.get(Layer.SPEED),
                    properties.layers().speed().timeout(), json);
        }

        /** How far the speed layer has got, asked of speed-service at most once per speed-progress-max-age. */
        @Bean
        @ConditionalOnMissingBean
        SpeedProgress speedProgress(InteractiveSpeedReads reads, QueryProperties properties) {
            return new SharedSpeedProgress(reads, properties.speedProgressMaxAge());
        }
    }

    @Bean
    BatchSpeedMerge batchSpeedMerge(LayerReads reads, IngestEpoch epochs, SpeedProgress speedProgress,
                                    MeterRegistry meters) {
        return new BatchSpeedMerge(reads, epochs, speedProgress, meters);
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
