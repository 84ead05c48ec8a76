package io.lambda.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import io.lambda.batch.recompute.BatchRuns;
import io.lambda.batch.system.BatchStore;
import io.lambda.batch.version.VersionPublisher;
import io.lambda.localservers.TestApiKeys;
import io.lambda.store.PublishedVersion;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * The batch admin API fuzzed at the web layer, with an admin key: a generated corpus of malformed
 * requests (broken or wrongly shaped run bodies, unknown modes, odd content types, run ids and
 * version numbers that are huge, negative, non-numeric, very long or full of control characters,
 * and path oddities) never gets a 5xx, never hangs, and every 4xx is a problem detail without a
 * stack trace. The collaborators behind the controllers are mocks answering as the real ones do for
 * such input (no such run; no such version), since what is fuzzed here is the parsing and the
 * mapping of errors, not the JobRepository. The admin rate limit is raised out of the way.
 */
@WebMvcTest(properties = {
        "lambda.security.rate-limits.admin.requests-per-second=100000",
        "lambda.security.rate-limits.admin.burst=100000"})
class BatchAdminFuzzTests {

    /** One generated request; {@code path} is already percent-encoded where it needs to be. */
    record FuzzRequest(HttpMethod method, String path, String contentType, byte[] body) {
        @Override
        public String toString() {
            String shownBody = body == null ? "" : " " + new String(body, StandardCharsets.UTF_8);
            String shown = method + " " + path + " [" + contentType + "]" + shownBody;
            return shown.length() > 300 ? shown.substring(0, 300) + "..." : shown;
        }
    }

    private static final String RUNS = "/api/v1/batch/runs";
    private static final String VERSIONS = "/api/v1/batch/versions";
    private static final long KNOWN_VERSION = 3;

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    BatchRuns runs;

    @MockitoBean
    BatchStore store;

    @MockitoBean
    VersionPublisher publisher;

    @BeforeEach
    void collaboratorsAnswerLikeAnEmptyDeployment() {
        when(runs.start(anyString())).thenAnswer(call -> new BatchRuns.RunView("1", call.getArgument(0), "RUNNING",
                Instant.EPOCH, 1L, null, 0, 0, 0, Instant.EPOCH, null, Map.of(), 1, null));
        when(runs.find(anyString())).thenReturn(Optional.empty());
        when(publisher.publishExisting(anyLong())).thenReturn(new PublishedVersion(KNOWN_VERSION, Instant.EPOCH));
    }

    @Test
    void malformedAdminRequestsNeverGet5xxOrHangAndEvery4xxIsAProblemDetail() throws Exception {
        List<FuzzRequest> corpus = malformedCorpus(new Random(20261121L));
        assertThat(corpus).as("corpus size").hasSizeGreaterThanOrEqualTo(200);
        SoftAssertions softly = new SoftAssertions();
        int clientErrors = 0;
        for (FuzzRequest request : corpus) {
            MockHttpServletResponse response = CompletableFuture.supplyAsync(() -> send(request))
                    .get(10, TimeUnit.SECONDS); // never a hang
            int status = response.getStatus();
            softly.assertThat(status).as("%s", request).isLessThan(500);
            if (status >= 400) {
                clientErrors++;
                softly.assertThat(response.getContentType()).as("content type of %s (%d)", request, status)
                        .startsWith("application/problem+json");
                softly.assertThat(response.getContentAsString()).as("body of %s", request)
                        .doesNotContain("Exception", "\tat ");
            }
        }
        softly.assertAll();
        // The corpus is meant to be refused: if most of it were accepted, it would not be testing much.
        assertThat(clientErrors).as("requests refused with a 4xx").isGreaterThanOrEqualTo(corpus.size() * 3 / 4);
    }

    @Test
    void wellFormedRequestsStillWork() {
        assertThat(send(new FuzzRequest(HttpMethod.POST, RUNS, "application/json",
                "{\"mode\":\"full\"}".getBytes(StandardCharsets.UTF_8))).getStatus()).isEqualTo(202);
        assertThat(send(new FuzzRequest(HttpMethod.POST, VERSIONS + "/" + KNOWN_VERSION + "/publish", null, null))
                .getStatus()).isEqualTo(200);
    }

    private MockHttpServletResponse send(FuzzRequest request) {
        var builder = mvc.method(request.method()).uri(URI.create(request.path()))
                .header(TestApiKeys.HEADER, TestApiKeys.ADMIN);
        if (request.contentType() != null) {
            builder = builder.header("Content-Type", request.contentType());
        }
        if (request.body() != null) {
            builder = builder.content(request.body());
        }
        return builder.exchange().getResponse();
    }

    /**
     * Malformed requests of every kind the admin API can receive; a fixed seed keeps a failure
     * reproducible.
     */
    static List<FuzzRequest> malformedCorpus(Random random) {
        List<FuzzRequest> corpus = new ArrayList<>();
        for (String body : runBodies(random)) {
            corpus.add(new FuzzRequest(HttpMethod.POST, RUNS, "application/json", bytes(body)));
        }
        for (String contentType : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/octet-stream", "garbage", "application/",
                "/json", "application/json; charset=no-such-charset", "*/*", "application/json;;;", "\u0001")) {
            corpus.add(new FuzzRequest(HttpMethod.POST, RUNS, contentType, bytes("{\"mode\":\"full\"}")));
        }
        for (String id : pathSegments(random)) {
            corpus.add(new FuzzRequest(HttpMethod.GET, RUNS + "/" + id, null, null));
            corpus.add(new FuzzRequest(HttpMethod.POST, VERSIONS + "/" + id + "/publish", "application/json",
                    bytes("{}")));
        }
        for (String path : List.of(RUNS + "/", RUNS + "//1", RUNS + "/1/", RUNS + "/1/extra", RUNS + "/./1",
                RUNS + "/../runs/1", RUNS + "/%2e%2e/1", RUNS + "/1%2F2", RUNS + "/1%5C2", RUNS + "/1;jsessionid=x",
                RUNS + "/1%00", RUNS + "/%25", RUNS + "?mode=full&mode=bogus", VERSIONS + "/", VERSIONS + "//publish",
                VERSIONS + "/1", VERSIONS + "/1/publish/", VERSIONS + "/1/publish/extra", VERSIONS + "/1/unpublish",
                VERSIONS + "/%20/publish", VERSIONS + "/1%3B2/publish", "/api/v1/batch", "/api/v1/batch/",
                "/api/v1/batch/nothing", "/api/v1/batch/runs.json", "/api/v1//batch/runs")) {
            corpus.add(new FuzzRequest(HttpMethod.GET, path, null, null));
            corpus.add(new FuzzRequest(HttpMethod.POST, path, "application/json", bytes("{}")));
        }
        for (HttpMethod method : List.of(HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH)) {
            for (String path : List.of(RUNS, RUNS + "/1", VERSIONS, VERSIONS + "/1/publish")) {
                corpus.add(new FuzzRequest(method, path, "application/json", bytes("{\"mode\":\"full\"}")));
            }
        }
        return corpus;
    }

    /** Run request bodies: broken JSON, wrong shapes and types, unknown modes, hostile sizes, random bytes. */
    private static List<String> runBodies(Random random) {
        List<String> bodies = new ArrayList<>(List.of("{", "}", "[", "[]", "[{}]", "null", "true", "42", "\"full\"",
                "{\"mode\":}", "{\"mode\":\"full\"", "{\"mode\":\"full\"}}", "{\"mode\":\"full\"}{", "{mode:full}",
                "{'mode':'full'}", "{\"mode\":42}", "{\"mode\":1e309}", "{\"mode\":true}", "{\"mode\":[\"full\"]}",
                "{\"mode\":{\"full\":true}}", "{\"mode\":\"\"}", "{\"mode\":\" full\"}", "{\"mode\":\"FULL\"}",
                "{\"mode\":\"Incremental\"}", "{\"mode\":\"full\\u0000\"}", "{\"mode\":\"\\u202efull\"}",
                "{\"mode\":\"full\",\"mode\":\"bogus\"}", "{\"mode\":\"" + "x".repeat(100_000) + "\"}",
                "{\"mode\":\"" + "\\n\\r\\t".repeat(1000) + "\"}", "[" + "[".repeat(3000) + "]".repeat(3000) + "]",
                "{\"a\":" + "{\"a\":".repeat(2000) + "1" + "}".repeat(2001), "\uFEFF{\"mode\":\"full\"}garbage",
                "\u0000\u0001\u0002", "{\"mode\":\"full\"," + "\"x\":1,".repeat(5000) + "\"y\":2", "{\"mode\":\"%s\"}",
                "{\"mode\":\"<script>alert(1)</script>\"}", "{\"mode\":\"${jndi:ldap://127.0.0.1/a}\"}"));
        String valid = "{\"mode\":\"incremental\"}";
        String structural = "{}[]\":,\\";
        for (int i = 0; i < 30; i++) {
            bodies.add(valid.substring(0, 1 + random.nextInt(valid.length() - 2))); // truncated
            char[] chars = valid.toCharArray();
            for (int j = 0; j < 3; j++) {
                chars[random.nextInt(chars.length)] = structural.charAt(random.nextInt(structural.length()));
            }
            bodies.add(new String(chars));
            bodies.add("{\"mode\":\"" + randomText(random, 1 + random.nextInt(40)) + "\"}"); // unknown mode
        }
        return bodies;
    }

    /** Run ids and version numbers: huge, negative, non-numeric, long, control characters; percent-encoded. */
    private static List<String> pathSegments(Random random) {
        List<String> raw = new ArrayList<>(List.of("0", "-1", "-9223372036854775808", "9223372036854775807",
                "9223372036854775808", "99999999999999999999999999", "-99999999999999999999999999", "1e3", "1.5",
                "0x10", "+1", " 1", "1 ", "NaN", "Infinity", "null", "true", "١٢٣", "abc", "unchanged-",
                "unchanged-1-2", "unchanged-1-2-3-4", "unchanged-x-y-z", "unchanged-9223372036854775807-1-1",
                "unchanged-1-99999999999999999999-1", "unchanged---", "\u0000", "\u0007\u001b[2J", "\r\nX-Injected: 1",
                "\u202e1", "\uFFFF", "💥", "1".repeat(5000), "x".repeat(5000), "{runId}", "*", "%", "%%", ";",
                "<script>", "'; DROP TABLE runs; --"));
        for (int i = 0; i < 20; i++) {
            raw.add(Long.toString(random.nextLong()));
            raw.add(randomText(random, 1 + random.nextInt(60)));
        }
        return raw.stream().map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .toList();
    }

    /** Printable and control characters, letters of other scripts, and surrogate pairs. */
    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(4)) {
                case 0 -> text.append((char) random.nextInt(0x20));
                case 1 -> text.append((char) (0x20 + random.nextInt(0x5f)));
                case 2 -> text.append((char) (0xa0 + random.nextInt(0x2000)));
                default -> text.appendCodePoint(0x1f300 + random.nextInt(0x100));
            }
        }
        return text.toString().replace("\"", "'").replace("\\", "/");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
