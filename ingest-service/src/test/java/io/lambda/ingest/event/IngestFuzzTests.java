package io.lambda.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import io.lambda.localservers.TestApiKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * The ingest endpoint fuzzed, with security on: a generated corpus of malformed bodies (sent as JSON
 * and as NDJSON) never gets a 5xx, a stack trace or a hang, and the valid events sent around each of
 * them are all accepted and published. The rate limit is raised out of the way (IngestRateLimitTests).
 */
@WebMvcTest(controllers = EventController.class, properties = {
        "lambda.security.rate-limits.ingest.requests-per-second=100000",
        "lambda.security.rate-limits.ingest.burst=100000"})
@Import(IngestWebSlice.class)
class IngestFuzzTests {

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
    void malformedBodiesNeverGet5xxOrHangAndTheValidEventsAroundThemAreAllAccepted() throws Exception {
        List<byte[]> corpus = malformedCorpus(new Random(20261120L), 240);
        List<String> validIds = new ArrayList<>();
        for (byte[] bad : corpus) {
            String before = UUID.randomUUID().toString();
            String after = UUID.randomUUID().toString();
            validIds.add(before);
            validIds.add(after);
            assertThat(post("application/json", validEvent(before).getBytes(StandardCharsets.UTF_8)).getStatus())
                    .isEqualTo(202);
            for (String contentType : new String[] {"application/json", "application/x-ndjson"}) {
                MockHttpServletResponse response = CompletableFuture.supplyAsync(() -> post(contentType, bad))
                        .get(10, TimeUnit.SECONDS); // never a hang
                assertThat(response.getStatus()).as(new String(bad, StandardCharsets.UTF_8)).isBetween(400, 499);
                assertThat(response.getContentType()).startsWith("application/problem+json");
                assertThat(response.getContentAsString()).doesNotContain("Exception", "\tat ");
            }
            assertThat(post("application/json", validEvent(after).getBytes(StandardCharsets.UTF_8)).getStatus())
                    .isEqualTo(202);
        }
        assertThat(published).containsAll(validIds);
    }

    private MockHttpServletResponse post(String contentType, byte[] body) {
        return mvc.post().uri("/api/v1/events").header(TestApiKeys.HEADER, TestApiKeys.INGEST).contentType(contentType)
                .content(body).exchange().getResponse();
    }

    private static String validEvent(String id) {
        return "{\"eventId\":\"" + id + "\",\"type\":\"pageview\",\"timestamp\":" + NOW
                + ",\"attributes\":{\"url\":\"/home\"}}";
    }

    /** Malformed bodies of many kinds: broken syntax, wrong shapes and types, hostile sizes, random bytes. */
    static List<byte[]> malformedCorpus(Random random, int size) {
        String valid = validEvent("00000000-0000-0000-0000-000000000000");
        List<String> templates = List.of("", "{", "}", "[", "[{]", "null", "true", "42", "\"text\"", "[[[]]]",
                "{\"type\":", "{\"type\":null,\"timestamp\":1}", "{\"type\":\"\",\"timestamp\":" + NOW + "}",
                "{\"type\":\"pageview\",\"timestamp\":\"yesterday\"}", "{\"type\":\"pageview\",\"timestamp\":1e309}",
                "{\"type\":\"pageview\",\"timestamp\":-99999999999999999999}", "{\"type\":[],\"timestamp\":1}",
                "{\"type\":\"pageview\",\"timestamp\":" + NOW + ",\"attributes\":[1,2]}",
                "{\"type\":\"pageview\",\"timestamp\":" + NOW + ",\"attributes\":{\"a\":{\"b\":{\"c\":1}}}}",
                "{\"eventId\":\"" + "x".repeat(5000) + "\",\"type\":\"p\",\"timestamp\":" + NOW + "}",
                "{\"type\":\"\\u0000\\u202e\",\"timestamp\":" + NOW + "}", "[" + "[".repeat(3000) + "]".repeat(3000) + "]",
                "{\"type\":\"pageview\",\"timestamp\":" + NOW + "}{", "\uFEFF" + valid + "garbage", "\u0000\u0001\u0002");
        List<byte[]> corpus = new ArrayList<>();
        while (corpus.size() < size) {
            int kind = corpus.size() % 4;
            String body = switch (kind) {
                case 0 -> templates.get(random.nextInt(templates.size()));
                case 1 -> valid.substring(0, 1 + random.nextInt(valid.length() - 2)); // truncated
                case 2 -> mutate(valid, random);
                default -> null;
            };
            if (body == null) {
                byte[] bytes = new byte[1 + random.nextInt(200)];
                random.nextBytes(bytes);
                corpus.add(bytes);
            } else {
                corpus.add(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        return corpus;
    }

    /** Replaces a few structural characters, so the result is almost, but not, a valid event. */
    private static String mutate(String valid, Random random) {
        char[] chars = valid.toCharArray();
        String structural = "{}[]\":,";
        for (int i = 0; i < 3; i++) {
            int at = random.nextInt(chars.length);
            chars[at] = structural.charAt(random.nextInt(structural.length()));
        }
        String mutated = new String(chars);
        return mutated.equals(valid) ? mutated + "}" : mutated;
    }
}
