package io.lambda.speed.streams;

import io.lambda.speed.system.SpeedProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * {@code lambda.speed.lag{partition}} for engine {@code streams}, as engine {@code writer} has it: per
 * partition this instance runs, the records between the task's committed offset (Kafka Streams' task
 * metadata) and the log end as last listed from the broker ({@link LogEnds}). The alerts and dashboards on the speed layer's
 * lag read this gauge whichever engine runs; a partition that moves away takes its gauge with it.
 */
@Component
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "streams")
class StreamsLag {

    private final SpeedStreams streams;
    private final LogEnds ends;
    private final String topic;
    private final MeterRegistry meters;
    private final Map<Integer, AtomicLong> lags = new ConcurrentHashMap<>();
    private final Map<Integer, Gauge> gauges = new ConcurrentHashMap<>();

    StreamsLag(SpeedStreams streams, LogEnds ends, @Value("${lambda.events.topic}") String topic, MeterRegistry meters) {
        this.streams = streams;
        this.ends = ends;
        this.topic = topic;
        this.meters = meters;
    }

    @Scheduled(fixedDelayString = "${lambda.speed.progress-interval}")
    void refresh() {
        Map<Integer, Long> now = new HashMap<>();
        Map<Integer, Long> listed = ends.last().ends();
        KafkaStreams instance = streams.streams().orElse(null);
        if (instance != null && instance.state().isRunningOrRebalancing()) {
            for (ThreadMetadata thread : instance.metadataForLocalThreads()) {
                for (TaskMetadata task : thread.activeTasks()) {
                    for (TopicPartition tp : task.topicPartitions()) {
                        Long end = listed.get(tp.partition());
                        Long committed = task.committedOffsets().get(tp);
                        if (tp.topic().equals(topic) && end != null && end >= 0) {
                            now.put(tp.partition(), Math.max(0, end - (committed == null || committed < 0 ? 0 : committed)));
                        }
                    }
                }
            }
        }
        now.forEach((partition, lag) -> lags.computeIfAbsent(partition, this::register).set(lag));
        for (Integer gone : lags.keySet().stream().filter(p -> !now.containsKey(p)).toList()) {
            lags.remove(gone);
            meters.remove(gauges.remove(gone));
        }
    }

    private AtomicLong register(int partition) {
        AtomicLong lag = new AtomicLong();
        gauges.put(partition, Gauge.builder("lambda.speed.lag", lag, AtomicLong::get)
                .description("records between this instance's committed position and the log end, per partition")
                .tag("partition", Integer.toString(partition)).register(meters));
        return lag;
    }
}
