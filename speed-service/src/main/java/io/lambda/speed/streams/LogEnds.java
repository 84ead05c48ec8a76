package io.lambda.speed.streams;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log end of every partition of the events topic as the broker lists it, and when it was listed:
 * what "caught up" is measured against. Kafka Streams' task metadata also carries end offsets, but as
 * of the consumer's last fetch, which lags while the consumer works through what it fetched: a
 * partition 1.8 million records behind read there as lag 0 in the whole-stack benchmark, and its
 * {@code through} as now. From a listing, a partition that applied everything below the end listed at
 * {@code t} is complete through {@code t}, never later.
 */
public final class LogEnds implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogEnds.class);

    /** The ends listed at {@code listedAt}; empty before the first listing or while the broker cannot be reached. */
    public record Listing(Map<Integer, Long> ends, Instant listedAt) {
    }

    private final Admin admin;
    private final String topic;
    private volatile Listing last = new Listing(Map.of(), Instant.EPOCH);

    public LogEnds(Admin admin, String topic) {
        this.admin = admin;
        this.topic = topic;
    }

    public Listing last() {
        return last;
    }

    /** Lists the ends again (called every {@code lambda.speed.progress-interval}); keeps the last listing on failure. */
    public void refresh() {
        try {
            Instant listedAt = Instant.now(); // before the request: records appended later are not counted as in
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> listed = admin.listOffsets(latest).all()
                    .get(5, TimeUnit.SECONDS);
            Map<Integer, Long> ends = new HashMap<>();
            listed.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
            last = new Listing(Map.copyOf(ends), listedAt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("Could not list the ends of {}: {}", topic, e.toString());
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
