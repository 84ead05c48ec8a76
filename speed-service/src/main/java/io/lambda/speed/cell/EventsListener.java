package io.lambda.speed.cell;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes the events topic in batches. The container commits the batch's offsets only after this
 * method returns, that is after every cell of the batch is written.
 */
@Component
class EventsListener {

    private final SpeedCellWriter writer;

    EventsListener(SpeedCellWriter writer) {
        this.writer = writer;
    }

    @KafkaListener(id = "speed", idIsGroup = false, topics = "${lambda.events.topic}", batch = "true")
    void onEvents(List<ConsumerRecord<String, byte[]>> records) {
        writer.apply(records);
    }
}
