package io.lambda.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import io.lambda.localservers.TestApiKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * A burst over the ingest rate limit: 429 problem details with Retry-After, accepted requests at the
 * configured rate (within 10 %), and every accepted event published. The rate is low enough that the
 * client, even on a loaded machine, sends faster than it.
 */
@WebMvcTest(controllers = EventController.class, properties = {
        "lambda.security.rate-limits.ingest.requests-per-second=10",
        "lambda.security.rate-limits.ingest.burst=10"})
@Import(IngestWebSlice.class)
class IngestRateLimitTests {

    private static final long NOW = Instant.now().toEpochMilli();

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    EventPublisher publisher;

    private final Set<String> published = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void publisherRecordsWhatItWouldWrite() {
        when(publisher.publish(any())).thenAnswer(call -> {
            List<EncodedEvent> events = call.getArgument(0);
            events.forEach(event -> published.add(event.eventId()));
            return CompletableFuture.completedFuture(null);
        });
    }

    @Test
    void aBurstOverTheLimitGets429sAtTheConfiguredRateAndNothingAcceptedIsLost() throws Exception {
        List<String> acceptedIds = new ArrayList<>();
        int refused = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            String id = UUID.randomUUID().toString();
            MockHttpServletResponse response = post("application/json", validEvent(id).getBytes(StandardCharsets.UTF_8));
            if (response.getStatus() == 202) {
                acceptedIds.add(id);
            } else {
                assertThat(response.getStatus()).isEqualTo(429);
                assertThat(response.getHeader("Retry-After")).isEqualTo("1");
                assertThat(response.getContentType()).isEqualTo("application/problem+json");
                refused++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double expected = 10 + 10 * seconds; // the burst, then the rate
        assertThat(refused).as("the burst went over the limit").isPositive();
        assertThat((double) acceptedIds.size()).isBetween(expected * 0.9, expected * 1.1);
        assertThat(published).containsExactlyInAnyOrderElementsOf(acceptedIds);
    }

    private MockHttpServletResponse post(String contentType, byte[] body) {
        return mvc.post().uri("/api/v1/events").header(TestApiKeys.HEADER, TestApiKeys.INGEST).contentType(contentType)
                .content(body).exchange().getResponse();
    }

    private static String validEvent(String id) {
        return "{\"eventId\":\"" + id + "\",\"type\":\"pageview\",\"timestamp\":" + NOW
                + ",\"attributes\":{\"url\":\"/home\"}}";
    }
}
