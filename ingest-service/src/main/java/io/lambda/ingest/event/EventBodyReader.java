package io.lambda.ingest.event;

import io.lambda.ingest.system.IngestProperties;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the body of an ingest request into validated, encoded events, within the configured
 * limits. Bad input of any kind ends as a 4xx exception: the parser refuses deep nesting, huge
 * strings and numbers and duplicate fields while reading, so nothing a client sends can cause a 500.
 */
final class EventBodyReader {

    /**
     * Tight parser limits: an event is at most 3 levels deep inside an array, its strings are short.
     * A field twice in one event is refused by {@link EventValidator} as it reads the event, rather
     * than by the parser's duplicate detection, which keeps a hash set per object: that was a twelfth
     * of the service's allocation at full rate (docs/performance.md, ingest).
     */
    static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(64 * 1024)
                    .maxNumberLength(64)
                    .build())
            .build())
            .build();

    private final IngestProperties properties;
    private final Supplier<ValidatedEvents> batches;

    EventBodyReader(IngestProperties properties, EventValidator validator) {
        this.properties = properties;
        this.batches = () -> new ValidatedEvents(validator, properties.maxReportedErrors());
    }

    /** {@code application/json}: one event object or an array of events, the whole body at most maxBodyBytes. */
    List<EncodedEvent> readJson(InputStream in, long contentLength) throws IOException {
        long limit = properties.maxBodyBytes();
        if (contentLength > limit) {
            throw new BodyTooLargeException("the body is larger than " + limit + " bytes");
        }
        byte[] bytes = contentLength >= 0 ? readExactly(in, (int) contentLength) : in.readNBytes((int) limit + 1);
        if (bytes.length > limit) {
            throw new BodyTooLargeException("the body is larger than " + limit + " bytes");
        }
        if (bytes.length == 0) {
            throw new MalformedBodyException("the body is empty");
        }
        ValidatedEvents events = batches.get();
        try (JsonParser parser = JSON.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedBodyException("the body is empty");
            }
            if (first == JsonToken.START_ARRAY) {
                int index = 0;
                for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                    if (index == properties.maxEventsPerRequest()) {
                        int size = index + remainingElements(parser);
                        throw new BodyTooLargeException("at most " + properties.maxEventsPerRequest()
                                + " events per request, this one has " + size, size);
                    }
                    events.add(index++, parser);
                }
                if (index == 0) {
                    throw new MalformedBodyException("the array holds no events");
                }
            } else {
                events.add(0, parser);
            }
            if (parser.nextToken() != null) {
                throw new MalformedBodyException("the body is not valid JSON: trailing content after the events");
            }
        } catch (JacksonException e) {
            throw new MalformedBodyException("the body is not valid JSON: " + e.getOriginalMessage());
        }
        return events.validEvents();
    }

    /** How many elements the array holds from the one the parser stands on to its end. */
    private static int remainingElements(JsonParser parser) {
        int count = 0;
        for (JsonToken token = parser.currentToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            parser.skipChildren();
            count++;
        }
        return count;
    }

    /**
     * {@code application/x-ndjson}: one event per line, read line by line; the raw body is never held
     * whole. A blank line is skipped; the index of an event is its line number minus one.
     */
    List<EncodedEvent> readNdjson(InputStream in, long contentLength) throws IOException {
        IngestProperties.Ndjson limits = properties.ndjson();
        if (contentLength > limits.maxBodyBytes()) {
            throw new BodyTooLargeException("the body is larger than " + limits.maxBodyBytes() + " bytes");
        }
        NdjsonLines lines = new NdjsonLines(in, limits.maxLineBytes(), limits.maxBodyBytes());
        ValidatedEvents events = batches.get();
        int index = -1;
        while (lines.next()) {
            index++;
            if (lines.isBlank()) {
                continue;
            }
            if (events.count() == limits.maxLines()) {
                throw new BodyTooLargeException("at most " + limits.maxLines() + " events per NDJSON request");
            }
            try (JsonParser parser = JSON.createParser(lines.buffer(), 0, lines.length())) {
                parser.nextToken();
                events.add(index, parser, true);
            } catch (JacksonException e) {
                events.addUnreadable(index, "the line is not valid JSON: " + e.getOriginalMessage());
            } catch (MalformedBodyException e) {
                events.addUnreadable(index, "the line is not valid JSON: " + e.getMessage());
            }
        }
        return events.validEvents();
    }

    /**
     * A body of a declared length, read into one array of that size: reading up to the limit instead
     * copies the body through 8 KB chunks, a seventh of the service's allocation at full rate.
     * Tomcat ends the stream at the declared length; a body that ends before it is malformed.
     */
    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int read = in.readNBytes(bytes, 0, length);
        if (read < length) {
            throw new MalformedBodyException("the body ended after " + read + " of its " + length + " bytes");
        }
        return bytes;
    }
}
