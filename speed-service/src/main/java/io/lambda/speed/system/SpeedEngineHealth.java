package io.lambda.speed.system;

import io.lambda.speed.streams.SpeedStreams;
import org.apache.kafka.streams.KafkaStreams;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code speedEngine} in the readiness group. Engine {@code streams}: UP only while Kafka Streams is
 * RUNNING (every task restored and processing), since the instance then answers interactive queries
 * for its partitions; OUT_OF_SERVICE while it starts, rebalances or restores. Engine {@code writer}:
 * always UP (it takes no traffic but the scrape).
 */
@Component("speedEngine")
class SpeedEngineHealth implements HealthIndicator {

    private final ObjectProvider<SpeedStreams> streams;

    SpeedEngineHealth(ObjectProvider<SpeedStreams> streams) {
        this.streams = streams;
    }

    @Override
    public Health health() {
        SpeedStreams engine = streams.getIfAvailable();
        if (engine == null) {
            return Health.up().withDetail("engine", "writer").build();
        }
        KafkaStreams.State state = engine.state();
        return (state == KafkaStreams.State.RUNNING ? Health.up() : Health.outOfService())
                .withDetail("engine", "streams").withDetail("state", state.name()).build();
    }
}
