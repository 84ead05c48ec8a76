package io.lambda.batch.recompute;

import io.lambda.batch.system.BatchProperties;
import io.lambda.core.time.IngestEpoch;
import io.lambda.store.ArchiverWatermarks;
import io.lambda.store.LambdaStore;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * Where the next batch version may cut (docs/architecture.md, invariant 3): the latest ingest-epoch boundary
 * that every partition's archiver watermark has passed. A partition whose log end the archiver
 * has committed is complete through the moment we saw that log end, minus a clock-skew margin, so
 * idle partitions never hold the cut back.
 */
@Component
public class BatchCut {

    private final Admin admin;
    private final ArchiverWatermarks watermarks;
    private final IngestEpoch epochs;
    private final BatchProperties properties;
    private final String topic;
    private final String archiverGroup;

    BatchCut(KafkaAdmin kafkaAdmin, LambdaStore store, IngestEpoch epochs, BatchProperties properties,
             @Value("${lambda.events.topic}") String topic,
             @Value("${spring.kafka.consumer.group-id}") String archiverGroup) {
        this.admin = Admin.create(kafkaAdmin.getConfigurationProperties());
        this.watermarks = store.watermarks();
        this.epochs = epochs;
        this.properties = properties;
        this.topic = topic;
        this.archiverGroup = archiverGroup;
    }

    /** The ingest time through which the master dataset is complete on every partition. */
    public Instant completeThrough() {
        Instant seenAt = Instant.now();
        try {
            var description = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(archiverGroup)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<Integer, ArchiverWatermarks.Watermark> marks = watermarks.all(topic);

            Instant caughtUp = seenAt.minus(properties.clockSkewMargin());
            Instant through = caughtUp;
            for (TopicPartition partition : latest.keySet()) {
                long end = ends.get(partition).offset();
                OffsetAndMetadata done = committed.get(partition);
                Instant partitionThrough;
                if (end == 0 || (done != null && done.offset() >= end)) {
                    partitionThrough = caughtUp;
                } else {
                    ArchiverWatermarks.Watermark mark = marks.get(partition.partition());
                    partitionThrough = mark == null ? Instant.EPOCH : mark.completeThrough();
                }
                if (partitionThrough.isBefore(through)) {
                    through = partitionThrough;
                }
            }
            return through;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the archiver's progress from Kafka: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the archiver's progress", e);
        }
    }

    /** The latest ingest-epoch boundary at or before {@link #completeThrough()}. */
    public Instant next() {
        return Instant.ofEpochMilli(epochs.cutAtOrBefore(completeThrough().toEpochMilli()));
    }
}
