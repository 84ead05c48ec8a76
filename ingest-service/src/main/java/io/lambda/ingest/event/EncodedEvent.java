package io.lambda.ingest.event;

/**
 * One valid event of a request, already in the topic's record format: the Kafka key (its eventId)
 * and value. Requests hold their events in this compact form until they are sent.
 */
record EncodedEvent(String eventId, byte[] value) {
}
