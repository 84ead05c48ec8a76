package io.lambda.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.verifyNoInteractions;

import io.lambda.localservers.TestApiKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bad-input table: every kind of bad request a client can send, with the status and problem it
 * gets. None is a 500, none hangs, and none reaches Kafka (the publisher is never called).
 */
@WebMvcTest(controllers = EventController.class, properties = {
        "lambda.ingest.ndjson.max-lines=50",
        "lambda.ingest.ndjson.max-line-bytes=4096",
        "lambda.ingest.ndjson.max-body-bytes=65536"})
@Import(IngestWebSlice.class)
class EventControllerBadInputTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String JSON_TYPE = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final long NOW = Instant.now().toEpochMilli();
    private static final String VALID = event("\"type\":\"pageview\",\"timestamp\":" + NOW);

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    EventPublisher publisher;

    /**
     * One row of the table.
     *
     * @param index for a 400 invalid-events, the index of an event the errors must name (else null)
     * @param field for a 400 invalid-events, the field that error must name
     */
    record Case(String name, HttpMethod method, String contentType, byte[] body, int status, String type,
                Integer index, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> badRequests() {
        List<Case> cases = new ArrayList<>();
        // -- the body is not (acceptable) JSON: 400 malformed-body
        cases.add(malformed("truncated JSON", "{\"type\":\"pageview\","));
        cases.add(malformed("not JSON at all", "hello"));
        cases.add(malformed("empty body", ""));
        cases.add(malformed("only whitespace", "   \n "));
        cases.add(malformed("trailing content after the event", VALID + " {}"));
        cases.add(malformed("duplicate field", "{\"type\":\"a\",\"type\":\"b\",\"timestamp\":" + NOW + "}"));
        cases.add(malformed("duplicate attribute", event("\"type\":\"a\",\"timestamp\":" + NOW
                + ",\"attributes\":{\"url\":\"/a\",\"url\":\"/b\"}")));
        cases.add(malformed("single quotes", "{'type':'pageview','timestamp':" + NOW + "}"));
        cases.add(malformed("comment in JSON", "/* hi */" + VALID));
        cases.add(malformed("NaN literal", event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":{\"x\":NaN}")));
        cases.add(new Case("invalid UTF-8 in a string", HttpMethod.POST, JSON_TYPE,
                concat("{\"type\":\"pageview\",\"timestamp\":" + NOW + ",\"attributes\":{\"url\":\"",
                        new byte[] {(byte) 0xC3, (byte) 0x28}, "\"}}"), 400, "malformed-body", null, null));
        cases.add(new Case("lone UTF-8 continuation byte", HttpMethod.POST, JSON_TYPE,
                concat("{\"type\":\"pageview\",\"timestamp\":" + NOW + ",\"attributes\":{\"url\":\"",
                        new byte[] {(byte) 0x80}, "\"}}"), 400, "malformed-body", null, null));
        cases.add(malformed("nesting 100 deep", "[".repeat(100) + "]".repeat(100)));
        cases.add(malformed("nested attributes 10 deep", event("\"type\":\"a\",\"timestamp\":" + NOW
                + ",\"attributes\":{\"x\":" + "{\"y\":".repeat(10) + "1" + "}".repeat(10) + "}")));
        cases.add(malformed("a 100,000-character string", event("\"type\":\"a\",\"timestamp\":" + NOW
                + ",\"attributes\":{\"x\":\"" + "x".repeat(100_000) + "\"}")));
        cases.add(malformed("a 200-digit number", event("\"type\":\"a\",\"timestamp\":" + "9".repeat(200))));
        cases.add(malformed("empty array", "[]"));
        // -- JSON, but not valid events: 400 invalid-events naming the event and the field
        cases.add(invalid("unknown field", event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"colour\":\"red\""), 0, "colour"));
        cases.add(invalid("eventId empty", event("\"eventId\":\"\",\"type\":\"a\",\"timestamp\":" + NOW), 0, "eventId"));
        cases.add(invalid("eventId with a slash", event("\"eventId\":\"a/b\",\"type\":\"a\",\"timestamp\":" + NOW), 0, "eventId"));
        cases.add(invalid("eventId of 129 characters",
                event("\"eventId\":\"" + "e".repeat(129) + "\",\"type\":\"a\",\"timestamp\":" + NOW), 0, "eventId"));
        cases.add(invalid("eventId a number", event("\"eventId\":42,\"type\":\"a\",\"timestamp\":" + NOW), 0, "eventId"));
        cases.add(invalid("type missing", event("\"timestamp\":" + NOW), 0, "type"));
        cases.add(invalid("type null", event("\"type\":null,\"timestamp\":" + NOW), 0, "type"));
        cases.add(invalid("type in upper case", event("\"type\":\"PageView\",\"timestamp\":" + NOW), 0, "type"));
        cases.add(invalid("type of 65 characters", event("\"type\":\"" + "t".repeat(65) + "\",\"timestamp\":" + NOW), 0, "type"));
        cases.add(invalid("type an object", event("\"type\":{},\"timestamp\":" + NOW), 0, "type"));
        cases.add(invalid("timestamp missing", event("\"type\":\"a\""), 0, "timestamp"));
        cases.add(invalid("timestamp without offset", event("\"type\":\"a\",\"timestamp\":\"2026-11-26T10:15:30\""), 0, "timestamp"));
        cases.add(invalid("timestamp not a time", event("\"type\":\"a\",\"timestamp\":\"yesterday\""), 0, "timestamp"));
        cases.add(invalid("timestamp before 2000", event("\"type\":\"a\",\"timestamp\":\"1999-12-31T23:59:59Z\""), 0, "timestamp"));
        cases.add(invalid("timestamp negative millis", event("\"type\":\"a\",\"timestamp\":-1"), 0, "timestamp"));
        cases.add(invalid("timestamp an hour ahead", event("\"type\":\"a\",\"timestamp\":"
                + Instant.now().plus(Duration.ofHours(1)).toEpochMilli()), 0, "timestamp"));
        cases.add(invalid("timestamp a fraction", event("\"type\":\"a\",\"timestamp\":1.5"), 0, "timestamp"));
        cases.add(invalid("timestamp a boolean", event("\"type\":\"a\",\"timestamp\":true"), 0, "timestamp"));
        cases.add(invalid("attributes an array", event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":[1]"), 0, "attributes"));
        cases.add(invalid("65 attributes", event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":{"
                + IntStream.range(0, 65).mapToObj(i -> "\"a" + i + "\":" + i).collect(Collectors.joining(",")) + "}"),
                0, "attributes"));
        cases.add(invalid("attribute key with a dash", attribute("\"my-key\":1"), 0, "attributes.my-key"));
        cases.add(invalid("attribute key empty", attribute("\"\":1"), 0, "attributes."));
        cases.add(invalid("attribute key of 65 characters", attribute("\"" + "k".repeat(65) + "\":1"), 0,
                "attributes." + "k".repeat(65)));
        cases.add(invalid("attribute value with a lone surrogate escape", attribute("\"v\":\"a\\ud800b\""), 0,
                "attributes.v"));
        // in a field name the parser refuses half a surrogate pair itself
        cases.add(malformed("field named by a lone surrogate escape", event("\"type\":\"a\",\"timestamp\":" + NOW
                + ",\"x\\udc00\":1")));
        cases.add(malformed("attribute key with a lone surrogate escape", attribute("\"\\ud800\":1")));
        cases.add(invalid("attribute value of 1,025 characters", attribute("\"v\":\"" + "x".repeat(1025) + "\""), 0, "attributes.v"));
        cases.add(invalid("attribute value a nested object", attribute("\"v\":{\"w\":1}"), 0, "attributes.v"));
        cases.add(invalid("attribute value an array", attribute("\"v\":[1,2]"), 0, "attributes.v"));
        cases.add(invalid("attribute value null", attribute("\"v\":null"), 0, "attributes.v"));
        cases.add(invalid("attribute value beyond double range", attribute("\"v\":1e400"), 0, "attributes.v"));
        cases.add(invalid("top level a number", "42", 0, ""));
        cases.add(invalid("top level null", "null", 0, ""));
        cases.add(invalid("an array holding a number", "[" + VALID + ",7]", 1, ""));
        cases.add(invalid("an array holding an array", "[[" + VALID + "]]", 0, ""));
        cases.add(invalid("one bad event among good ones", "[" + VALID + "," + VALID + ","
                + event("\"type\":\"a\"") + "]", 2, "timestamp"));
        // -- too large: 413
        cases.add(new Case("1,001 events", HttpMethod.POST, JSON_TYPE,
                bytes("[" + Stream.generate(() -> VALID).limit(1001).collect(Collectors.joining(",")) + "]"),
                413, "too-large", null, null));
        cases.add(new Case("a body over 1 MiB", HttpMethod.POST, JSON_TYPE,
                bytes("[" + event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":{\"x\":\""
                        + "x".repeat(1024 * 1024) + "\"}") + "]"), 413, "too-large", null, null));
        // -- wrong media type or method
        cases.add(new Case("text/plain", HttpMethod.POST, "text/plain", bytes(VALID), 415, "unsupported-media-type", null, null));
        cases.add(new Case("application/xml", HttpMethod.POST, "application/xml", bytes("<event/>"), 415,
                "unsupported-media-type", null, null));
        cases.add(new Case("form encoded", HttpMethod.POST, "application/x-www-form-urlencoded", bytes("type=a"), 415,
                "unsupported-media-type", null, null));
        cases.add(new Case("no content type", HttpMethod.POST, null, bytes(VALID), 415, "unsupported-media-type", null, null));
        cases.add(new Case("GET", HttpMethod.GET, null, new byte[0], 405, "method-not-allowed", null, null));
        // -- NDJSON
        cases.add(new Case("NDJSON empty", HttpMethod.POST, NDJSON, bytes(""), 400, "malformed-body", null, null));
        cases.add(new Case("NDJSON only blank lines", HttpMethod.POST, NDJSON, bytes("\n\r\n  \n"), 400, "malformed-body", null, null));
        cases.add(new Case("NDJSON a line not JSON", HttpMethod.POST, NDJSON, bytes(VALID + "\n{oops\n" + VALID),
                400, "invalid-events", 1, ""));
        cases.add(new Case("NDJSON a field twice on a line", HttpMethod.POST, NDJSON, bytes(VALID + "\n"
                + event("\"type\":\"a\",\"type\":\"b\",\"timestamp\":" + NOW)), 400, "invalid-events", 1, ""));
        cases.add(new Case("NDJSON an attribute twice on a line", HttpMethod.POST, NDJSON, bytes(VALID + "\n"
                + attribute("\"u\":1,\"u\":2")), 400, "invalid-events", 1, ""));
        cases.add(new Case("NDJSON two events on a line", HttpMethod.POST, NDJSON, bytes(VALID + "\n" + VALID + " " + VALID),
                400, "invalid-events", 1, ""));
        cases.add(new Case("NDJSON an array on a line", HttpMethod.POST, NDJSON, bytes(VALID + "\n[" + VALID + "]\n"),
                400, "invalid-events", 1, ""));
        cases.add(new Case("NDJSON a bad field on line 3", HttpMethod.POST, NDJSON,
                bytes(VALID + "\n" + VALID + "\n" + event("\"type\":\"a\",\"timestamp\":\"soon\"") + "\n"),
                400, "invalid-events", 2, "timestamp"));
        cases.add(new Case("NDJSON index counts blank lines", HttpMethod.POST, NDJSON,
                bytes(VALID + "\n\n" + event("\"type\":\"A\",\"timestamp\":" + NOW) + "\n"),
                400, "invalid-events", 2, "type"));
        cases.add(new Case("NDJSON invalid UTF-8 on a line", HttpMethod.POST, NDJSON,
                concat(VALID + "\n{\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":{\"u\":\"",
                        new byte[] {(byte) 0xFF}, "\"}}\n"), 400, "invalid-events", 1, ""));
        cases.add(new Case("NDJSON a line over the line limit", HttpMethod.POST, NDJSON,
                bytes(VALID + "\n" + event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":{\"x\":\""
                        + "x".repeat(5000) + "\"}") + "\n"), 413, "too-large", null, null));
        cases.add(new Case("NDJSON more lines than allowed", HttpMethod.POST, NDJSON,
                bytes(Stream.generate(() -> VALID).limit(51).collect(Collectors.joining("\n"))), 413, "too-large", null, null));
        cases.add(new Case("NDJSON a body over the byte limit", HttpMethod.POST, NDJSON,
                bytes(Stream.generate(() -> event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":{\"x\":\""
                        + "x".repeat(2000) + "\"}")).limit(40).collect(Collectors.joining("\n"))), 413, "too-large", null, null));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputGetsA4xxProblemAndWritesNothing(Case c) throws Exception {
        var request = (c.method() == HttpMethod.GET ? mvc.get().uri("/api/v1/events")
                : mvc.post().uri("/api/v1/events").content(c.body())).header(TestApiKeys.HEADER, TestApiKeys.INGEST);
        if (c.contentType() != null) {
            request = request.contentType(c.contentType());
        }
        MockHttpServletResponse response = request.exchange().getResponse();

        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(c.status());
        assertThat(response.getContentType()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.getContentAsByteArray());
        assertThat(problem.get("type").asString()).isEqualTo("urn:lambda:problem:" + c.type());
        assertThat(problem.get("status").asInt()).isEqualTo(c.status());
        assertThat(problem.get("detail").asString()).isNotBlank();
        if (c.index() != null) {
            assertThat(problem.get("errors").valueStream())
                    .as(problem.toString())
                    .anySatisfy(error -> {
                        assertThat(error.get("index").asInt()).isEqualTo(c.index());
                        assertThat(error.get("field").asString()).isEqualTo(c.field());
                        assertThat(error.get("message").asString()).isNotBlank();
                    });
            assertThat(problem.get("errorCount").asLong()).isEqualTo(problem.get("errors").size());
        }
        verifyNoInteractions(publisher);
    }

    private static Case malformed(String name, String body) {
        return new Case(name, HttpMethod.POST, JSON_TYPE, bytes(body), 400, "malformed-body", null, null);
    }

    private static Case invalid(String name, String body, int index, String field) {
        return new Case(name, HttpMethod.POST, JSON_TYPE, bytes(body), 400, "invalid-events", index, field);
    }

    private static String event(String fields) {
        return "{" + fields + "}";
    }

    private static String attribute(String entry) {
        return event("\"type\":\"a\",\"timestamp\":" + NOW + ",\"attributes\":{" + entry + "}");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] h = bytes(head);
        byte[] t = bytes(tail);
        byte[] all = new byte[h.length + middle.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(middle, 0, all, h.length, middle.length);
        System.arraycopy(t, 0, all, h.length + middle.length, t.length);
        return all;
    }
}
