package io.lambda.speed.cell;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import io.lambda.speed.system.SpeedProperties;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/**
 * On a rebalance, forget what we knew of the partitions we lost (their cells, their dedup window,
 * their progress): their new owner writes them now, and if they come back we read the cells again.
 * The partitions we gain share one reading of the epochs written before we took them over.
 */
@Component
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "writer", matchIfMissing = true)
class PartitionOwnership implements ConsumerAwareRebalanceListener {

    private final SpeedCellWriter writer;
    private final SpeedProgress progress;

    PartitionOwnership(SpeedCellWriter writer, SpeedProgress progress) {
        this.writer = writer;
        this.progress = progress;
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> lost = partitions.stream().map(TopicPartition::partition).toList();
        writer.forget(lost);
        progress.forget(lost);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        writer.assigned(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevokedAfterCommit(consumer, partitions);
    }
}
