package io.lambda.query.system;

import io.lambda.core.time.IngestEpoch;
import io.lambda.query.layer.BatchCellCache;
import io.lambda.query.layer.Layer;
import io.lambda.query.layer.LayerGuards;
import io.lambda.query.layer.LayerReads;
import io.lambda.query.layer.SharedSpeedProgress;
import io.lambda.query.layer.SpeedProgress;
import io.lambda.query.view.BatchSpeedMerge;
import io.lambda.query.view.UtcTimes;
import io.lambda.store.LambdaStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JacksonModule;

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
    LayerReads layerReads(LambdaStore store, LayerGuards guards, BatchCellCache cache, QueryProperties properties) {
        return new LayerReads(store, guards.get(Layer.CATALOG), guards.get(Layer.BATCH), guards.get(Layer.SPEED),
                cache, properties.catalogMaxAge());
    }

    /**
     * The speed layer's progress from the table speed-service writes ({@code speed_progress}):
     * complete through the oldest partition's applied ingest time. Unreadable or not yet
     * reported → empty, shown as {@code null}, never a guess. Read at most once per
     * {@code lambda.query.speed-progress-max-age}, shared by the queries of that time.
     */
    @Bean
    @ConditionalOnMissingBean
    SpeedProgress speedProgress(com.datastax.oss.driver.api.core.CqlSession session, LambdaStore store,
                                QueryProperties properties,
                                @org.springframework.beans.factory.annotation.Value("${lambda.events.topic}") String topic,
                                @org.springframework.beans.factory.annotation.Value("${lambda.events.partitions}") int partitions) {
        io.lambda.store.SpeedPartitionProgress progress =
                new io.lambda.store.SpeedPartitionProgress(session, store.settings());
        return new SharedSpeedProgress(() -> {
            try {
                return progress.speedThrough(topic, partitions);
            } catch (RuntimeException e) {
                return java.util.Optional.empty();
            }
        }, properties.speedProgressMaxAge());
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
