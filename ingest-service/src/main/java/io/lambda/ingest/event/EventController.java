package io.lambda.ingest.event;

import io.lambda.core.event.Event;
import io.lambda.ingest.system.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /api/v1/events}: one event or an array of events, all written or none. */
@RestController
@RequestMapping("/api/v1/events")
class EventController {

    /** Tight parser limits: deep nesting and huge strings are refused while reading, never a 500. */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(64 * 1024)
                    .maxNumberLength(64)
                    .build())
            .build()).build();

    private final EventPublisher publisher;
    private final EventValidator validator;
    private final IngestProperties properties;

    EventController(EventPublisher publisher, IngestProperties properties) {
        this.publisher = publisher;
        this.properties = properties;
        this.validator = new EventValidator(Clock.systemUTC(), properties.maxFutureSkew());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> ingest(HttpServletRequest request) throws IOException {
        JsonNode body = parse(readBounded(request));
        List<JsonNode> nodes = new ArrayList<>();
        if (body.isArray()) {
            if (body.size() > properties.maxEventsPerRequest()) {
                throw new BodyTooLargeException("at most " + properties.maxEventsPerRequest()
                        + " events per request, this one has " + body.size());
            }
            body.forEach(nodes::add);
        } else {
            nodes.add(body);
        }
        if (nodes.isEmpty()) {
            throw new MalformedBodyException("the array holds no events");
        }
        List<FieldError> errors = new ArrayList<>();
        List<Event> events = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            Event event = validator.validate(i, nodes.get(i), errors);
            if (event != null) {
                events.add(event);
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidEventsException(errors);
        }
        publisher.publishAll(events);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of(
                "accepted", events.size(),
                "eventIds", events.stream().map(Event::eventId).toList()));
    }

    private byte[] readBounded(HttpServletRequest request) throws IOException {
        long limit = properties.maxBodyBytes();
        if (request.getContentLengthLong() > limit) {
            throw new BodyTooLargeException("the body is larger than " + limit + " bytes");
        }
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes((int) limit + 1);
            if (bytes.length > limit) {
                throw new BodyTooLargeException("the body is larger than " + limit + " bytes");
            }
            return bytes;
        }
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw new MalformedBodyException("the body is empty");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new MalformedBodyException("the body is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw new MalformedBodyException("the body is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
