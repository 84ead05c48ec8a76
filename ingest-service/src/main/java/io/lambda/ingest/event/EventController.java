package io.lambda.ingest.event;

import io.lambda.core.event.EventCodec;
import io.lambda.ingest.system.IngestProperties;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
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

    @Operation(summary = "Ingest events: one, an array (JSON) or one per line (NDJSON); 202 only once Kafka has "
            + "acknowledged every one, and a request is all or nothing")
    @RequestBody(required = true, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = IngestApiDocs.JsonBody.class)),
            @Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE, schema = @Schema(implementation = IngestApiDocs.NdjsonBody.class))})
    @Answers
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<byte[]>> ingestJson(HttpServletRequest request) throws IOException {
        CountingInputStream body = new CountingInputStream(request.getInputStream());
        try {
            return publish(reader.readJson(body, request.getContentLengthLong()));
        } finally {
            metrics.requestSize("json", body.count);
        }
    }

    @Hidden // the same operation as ingestJson, which documents both media types
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

    /** The answers both ingest routes give, for the OpenAPI document. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ApiResponse(responseCode = "202", description = "Every event is durable",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = IngestApiDocs.Accepted.class)))
    @ApiResponse(responseCode = "400", description = "An event is invalid or the body is malformed; nothing of the request "
            + "was written. errors: [{index, field, message}]", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "401", description = "No or unknown API key", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "403", description = "The key lacks scope ingest", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "413", description = "Body or batch too large", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "415", description = "Neither application/json nor application/x-ndjson",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "429", description = "The key's rate limit; Retry-After says when", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "503", description = "Kafka did not acknowledge in time; nothing is promised, resend "
            + "(safe: same eventId, counted once). Retry-After says when", content = @Content(mediaType = "application/problem+json"))
    @interface Answers {
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
