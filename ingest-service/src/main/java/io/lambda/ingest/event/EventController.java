package io.lambda.ingest.event;

import io.lambda.core.event.EventCodec;
import io.lambda.ingest.system.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/events}: one event, an array of events ({@code application/json}) or one event
 * per line ({@code application/x-ndjson}). Every request is all or nothing: all its events are read
 * and checked before the first is sent, and the answer is 202 only once Kafka has acknowledged them all.
 * The body is read on the request thread; the wait for Kafka is asynchronous.
 */
@RestController
@RequestMapping("/api/v1/events")
class EventController {

    private final EventPublisher publisher;
    private final EventBodyReader reader;
    private final IngestMetrics metrics;

    EventController(EventPublisher publisher, IngestProperties properties, EventCodec codec, IngestMetrics metrics) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.reader = new EventBodyReader(properties,
                new EventValidator(Clock.systemUTC(), properties.maxFutureSkew(), codec));
    }

    /**
     * What a 202 says, {@code {"accepted":n,"eventIds":[...]}}: how many events were stored and their
     * ids, in request order. Written here rather than by Jackson, which was a tenth of a request
     * thread's CPU at 100 events a request (docs/performance.md, ingest): no id needs escaping,
     * since each passed the eventId rule (A-Z a-z 0-9 . _ : -) or is a UUID.
     */
    static byte[] acceptedJson(List<EncodedEvent> events) {
        StringBuilder json = new StringBuilder(32 + 40 * events.size()).append("{\"accepted\":").append(events.size()).append(",\"eventIds\":[");
        for (int i = 0; i < events.size(); i++) {
            json.append(i == 0 ? "\"" : ",\"").append(events.get(i).eventId()).append('"');
        }
        return json.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<byte[]>> ingestJson(HttpServletRequest request) throws IOException {
        CountingInputStream body = new CountingInputStream(request.getInputStream());
        try {
            return publish(reader.readJson(body, request.getContentLengthLong()));
        } finally {
            metrics.requestSize("json", body.count);
        }
    }

    @PostMapping(consumes = MediaType.APPLICATION_NDJSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<byte[]>> ingestNdjson(HttpServletRequest request) throws IOException {
        CountingInputStream body = new CountingInputStream(request.getInputStream());
        try {
            return publish(reader.readNdjson(body, request.getContentLengthLong()));
        } finally {
            metrics.requestSize("ndjson", body.count);
        }
    }

    private CompletableFuture<ResponseEntity<byte[]>> publish(List<EncodedEvent> events) {
        return publisher.publish(events).thenApply(done -> {
            metrics.accepted(events.size());
            return ResponseEntity.status(HttpStatus.ACCEPTED).contentType(MediaType.APPLICATION_JSON)
                    .body(acceptedJson(events));
        });
    }

    /** Counts the body bytes actually read, for the request size metric. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
