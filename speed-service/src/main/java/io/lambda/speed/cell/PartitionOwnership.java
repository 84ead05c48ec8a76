package io.lambda.speed.cell;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/** On a rebalance, forget what we knew of the cells of the partitions we lost. */
@Component
class PartitionOwnership implements ConsumerAwareRebalanceListener {

    private final SpeedCellWriter writer;

    PartitionOwnership(SpeedCellWriter writer) {
        this.writer = writer;
    }

    @Override
    public void onPartitionsRevokedAfterCommit(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                               Collection<TopicPartition> partitions) {
        List<Integer> lost = partitions.stream().map(TopicPartition::partition).toList();
        writer.forget(lost);
    }

    @Override
    public void onPartitionsLost(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                 Collection<TopicPartition> partitions) {
        onPartitionsRevokedAfterCommit(consumer, partitions);
    }
}
