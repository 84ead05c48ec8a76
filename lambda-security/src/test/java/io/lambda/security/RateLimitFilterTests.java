package io.lambda.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * A burst against the real filter chain, for a synchronous and an asynchronous endpoint: one token
 * per request (an async request's second dispatch takes none), 429 with Retry-After over the limit.
 */
@SpringBootTest(classes = SecuredTestApplication.class, properties = {
        "lambda.security.rate-limits.ingest.requests-per-second=40",
        "lambda.security.rate-limits.ingest.burst=10",
        "lambda.security.rate-limits.read.requests-per-second=40",
        "lambda.security.rate-limits.read.burst=10"})
@AutoConfigureMockMvc
class RateLimitFilterTests {

    @Autowired
    MockMvcTester mvc;

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        for (String property : SecuredTestApplication.keyProperties()) {
            String[] pair = property.split("=", 2);
            registry.add(pair[0], () -> pair[1]);
        }
    }

    @Test
    void aBurstIsAcceptedAtTheConfiguredRateSyncOrAsync() {
        assertRate(() -> mvc.get().uri("/api/v1/views/pageviews/series").header("X-API-Key", SecuredTestApplication.READ_KEY)
                .exchange().getResponse());
        assertRate(() -> mvc.post().uri("/api/v1/events").header("X-API-Key", SecuredTestApplication.INGEST_KEY)
                .contentType(MediaType.APPLICATION_JSON).content("[]").exchange().getResponse());
    }

    private static void assertRate(java.util.function.Supplier<org.springframework.mock.web.MockHttpServletResponse> call) {
        int accepted = 0;
        int refused = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2)) {
            var response = call.get();
            if (response.getStatus() == 200) {
                accepted++;
            } else {
                assertThat(response.getStatus()).isEqualTo(429);
                assertThat(response.getHeader("Retry-After")).isEqualTo("1");
                refused++;
            }
        }
        double expected = 10 + 40 * (System.nanoTime() - start) / 1e9;
        assertThat(refused).isPositive();
        assertThat((double) accepted).isBetween(expected * 0.9, expected * 1.1);
    }
}
