package io.lambda.speed.cell;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an events-topic record through lambda-core's {@link EventCodec}. It runs inside spring-kafka's
 * {@code ErrorHandlingDeserializer}: a record it cannot read (not JSON, an unknown format version, a
 * missing field) reaches the listener as a poison record carrying the reason, and goes to the DLT.
 */
public class EventDeserializer implements Deserializer<Event> {

    private final EventCodec codec = new EventCodec();

    @Override
    public Event deserialize(String topic, byte[] data) {
        return codec.decode(data);
    }
}
