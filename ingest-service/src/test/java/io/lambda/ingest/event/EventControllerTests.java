package io.lambda.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.localservers.TestApiKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web layer on good requests: what it hands to the publisher (encoded with lambda-core's
 * codec, keyed by eventId, in request order), what it answers, and the metrics it keeps. Kafka is
 * out of the picture here; the *IntegrationTests cover it.
 */
@WebMvcTest(controllers = EventController.class)
@Import(IngestWebSlice.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD) // fresh meters per test
class EventControllerTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long NOW = Instant.now().toEpochMilli();
    private final EventCodec codec = new EventCodec();

    @Autowired
    MockMvcTester mvc;

    @Autowired
    MeterRegistry meters;

    @MockitoBean
    EventPublisher publisher;

    @Test
    void anEventWithoutIdIsAssignedAUuidThatIsReturnedAndUsedAsTheKey() throws Exception {
        when(publisher.publish(any())).thenReturn(CompletableFuture.completedFuture(null));

        MockHttpServletResponse response = post("application/json",
                "{\"type\":\"pageview\",\"timestamp\":" + NOW + ",\"attributes\":{\"url\":\"/home\",\"amount\":12.5}}");

        assertThat(response.getStatus()).isEqualTo(202);
        assertThat(response.getContentType()).isEqualTo("application/json");
        JsonNode body = JSON.readTree(response.getContentAsByteArray());
        assertThat(body.get("accepted").asInt()).isEqualTo(1);
        String id = body.get("eventIds").get(0).asString();
        assertThat(UUID.fromString(id)).isNotNull();
        List<EncodedEvent> sent = sent();
        assertThat(sent).singleElement().satisfies(record -> {
            assertThat(record.eventId()).isEqualTo(id);
            Event event = codec.decode(record.value());
            assertThat(event.eventId()).isEqualTo(id);
            assertThat(event.type()).isEqualTo("pageview");
            assertThat(event.timestampMillis()).isEqualTo(NOW);
            assertThat(event.attributes()).containsEntry("url", "/home").containsEntry("amount", 12.5);
        });
    }

    @Test
    void anArrayIsSentAndAnsweredInRequestOrder() throws Exception {
        when(publisher.publish(any())).thenReturn(CompletableFuture.completedFuture(null));

        MockHttpServletResponse response = post("application/json", "[" + event("c") + "," + event("a") + ","
                + event("b") + "]");

        assertThat(response.getStatus()).isEqualTo(202);
        assertThat(JSON.readTree(response.getContentAsByteArray()).get("eventIds").valueStream().map(JsonNode::asString))
                .containsExactly("c", "a", "b");
        assertThat(sent()).extracting(EncodedEvent::eventId).containsExactly("c", "a", "b");
    }

    @Test
    void ndjsonTakesOneEventPerLineWithCrLfBlankLinesAndNoFinalNewline() throws Exception {
        when(publisher.publish(any())).thenReturn(CompletableFuture.completedFuture(null));

        MockHttpServletResponse response = post("application/x-ndjson",
                event("n1") + "\r\n\n" + event("n2") + "\n   \n" + event("n3"));

        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(202);
        assertThat(JSON.readTree(response.getContentAsByteArray()).get("accepted").asInt()).isEqualTo(3);
        assertThat(sent()).extracting(record -> codec.decode(record.value()).eventId()).containsExactly("n1", "n2", "n3");
    }

    @Test
    void whenKafkaCannotAcknowledgeTheAnswerIs503WithRetryAfterAndTheIdsToResendWith() throws Exception {
        when(publisher.publish(any())).thenReturn(CompletableFuture.failedFuture(
                new KafkaUnavailableException("Kafka did not acknowledge every event within 5000 ms",
                        List.of("x1", "x2"), null)));

        MockHttpServletResponse response = post("application/json", "[" + event("x1") + "," + event("x2") + "]");

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("5");
        JsonNode problem = JSON.readTree(response.getContentAsByteArray());
        assertThat(problem.get("type").asString()).isEqualTo("urn:lambda:problem:not-durable");
        assertThat(problem.get("eventIds").valueStream().map(JsonNode::asString)).containsExactly("x1", "x2");
        assertThat(meters.get("lambda.ingest.events").tag("outcome", "rejected").tag("reason", "not-durable")
                .counter().count()).isEqualTo(2);
    }

    @Test
    void theCountersMoveWithAcceptedAndRejectedEventsAndTheRequestSizeIsRecorded() throws Exception {
        when(publisher.publish(any())).thenReturn(CompletableFuture.completedFuture(null));
        String accepted = "[" + event("m1") + "," + event("m2") + "]";
        String rejected = "[" + event("m3") + ",{\"type\":\"X\"}," + event("m4") + "]";

        post("application/json", accepted);
        post("application/json", rejected);
        post("application/json", "{oops");

        assertThat(meters.get("lambda.ingest.events").tag("outcome", "accepted").counter().count()).isEqualTo(2);
        assertThat(meters.get("lambda.ingest.events").tag("outcome", "rejected").tag("reason", "invalid")
                .counter().count()).isEqualTo(3);
        assertThat(meters.get("lambda.ingest.requests").tag("outcome", "rejected").tag("reason", "malformed")
                .counter().count()).isEqualTo(1);
        var size = meters.get("lambda.ingest.request.size").tag("format", "json").summary();
        assertThat(size.count()).isEqualTo(3);
        assertThat(size.totalAmount()).isEqualTo(accepted.length() + rejected.length() + "{oops".length());
    }

    private MockHttpServletResponse post(String contentType, String body) {
        return mvc.post().uri("/api/v1/events").header(TestApiKeys.HEADER, TestApiKeys.INGEST).contentType(contentType)
                .content(body.getBytes(StandardCharsets.UTF_8)).exchange().getResponse();
    }

    @SuppressWarnings("unchecked")
    private List<EncodedEvent> sent() {
        ArgumentCaptor<List<EncodedEvent>> captor = ArgumentCaptor.forClass(List.class);
        verify(publisher).publish(captor.capture());
        return captor.getValue();
    }

    private static String event(String id) {
        return "{\"eventId\":\"" + id + "\",\"type\":\"pageview\",\"timestamp\":" + NOW + "}";
    }
}
