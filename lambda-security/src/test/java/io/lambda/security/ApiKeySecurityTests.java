package io.lambda.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/** The rules of docs/security.md in API-key mode, against a stand-in service. */
@SpringBootTest(classes = SecuredTestApplication.class, properties = {
        "lambda.security.rate-limits.read.requests-per-second=1000",
        "lambda.security.rate-limits.read.burst=1000"})
@AutoConfigureMockMvc
class ApiKeySecurityTests {

    @Autowired
    MockMvcTester mvc;

    @org.springframework.test.context.DynamicPropertySource
    static void keys(org.springframework.test.context.DynamicPropertyRegistry registry) {
        for (String property : SecuredTestApplication.keyProperties()) {
            String[] pair = property.split("=", 2);
            registry.add(pair[0], () -> pair[1]);
        }
    }

    @Test
    void withoutACredentialEveryApiAnswers401ProblemDetailsWithAChallenge() {
        for (MvcTestResult result : new MvcTestResult[] {
                mvc.post().uri("/api/v1/events").contentType(MediaType.APPLICATION_JSON).content("[]").exchange(),
                mvc.get().uri("/api/v1/views/pageviews/series").exchange(),
                mvc.post().uri("/api/v1/batch/runs").exchange(),
                mvc.post().uri("/graphql").exchange(),
                mvc.get().uri("/unlisted").exchange(),
                mvc.get().uri("/actuator/prometheus").exchange()}) {
            assertThat(result).hasStatus(401);
            assertThat(result).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(result).headers().hasValue("WWW-Authenticate", "Bearer realm=\"lambda\"");
            assertThat(result).bodyJson().extractingPath("$.status").isEqualTo(401);
        }
    }

    @Test
    void aWrongKeyIs401EvenOnAnOpenPathAndIsNeverEchoed() {
        MvcTestResult result = mvc.get().uri("/api/v1/views/pageviews/series").header("X-API-Key", "guess-123").exchange();
        assertThat(result).hasStatus(401);
        assertThat(result).headers().hasValue("WWW-Authenticate", "Bearer realm=\"lambda\", error=\"invalid_token\"");
        assertThat(result).bodyText().doesNotContain("guess-123");
        assertThat(mvc.get().uri("/actuator/health").header("Authorization", "Bearer guess-123")).hasStatus(401);
    }

    @Test
    void eachScopeOpensItsApiAndAWrongScopeIs403() {
        assertThat(mvc.post().uri("/api/v1/events").header("X-API-Key", SecuredTestApplication.INGEST_KEY)
                .contentType(MediaType.APPLICATION_JSON).content("[]")).hasStatusOk();
        assertThat(mvc.get().uri("/api/v1/views/pageviews/series")
                .header("Authorization", "Bearer " + SecuredTestApplication.READ_KEY)).hasStatusOk();
        assertThat(mvc.post().uri("/graphql").header("X-API-Key", SecuredTestApplication.READ_KEY)).hasStatusOk();
        assertThat(mvc.post().uri("/api/v1/batch/runs").header("X-API-Key", SecuredTestApplication.ADMIN_KEY)).hasStatusOk();

        MvcTestResult readerIngests = mvc.post().uri("/api/v1/events").header("X-API-Key", SecuredTestApplication.READ_KEY)
                .contentType(MediaType.APPLICATION_JSON).content("[]").exchange();
        assertThat(readerIngests).hasStatus(403);
        assertThat(readerIngests).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(readerIngests).bodyJson().extractingPath("$.detail").asString().contains("'ingest'");
        assertThat(mvc.get().uri("/api/v1/views/pageviews/series").header("X-API-Key", SecuredTestApplication.INGEST_KEY))
                .hasStatus(403);
        assertThat(mvc.post().uri("/api/v1/batch/runs").header("X-API-Key", SecuredTestApplication.READ_KEY)).hasStatus(403);
        assertThat(mvc.post().uri("/graphql").header("X-API-Key", SecuredTestApplication.ADMIN_KEY)).hasStatus(403);
    }

    @Test
    void healthAndInfoAreOpenButHealthDetailsOnlyForAdmin() {
        assertThat(mvc.get().uri("/actuator/health")).hasStatusOk().bodyJson().doesNotHavePath("$.components");
        assertThat(mvc.get().uri("/actuator/health/liveness")).hasStatusOk();
        assertThat(mvc.get().uri("/actuator/health/readiness")).hasStatusOk();
        assertThat(mvc.get().uri("/actuator/info")).hasStatusOk();
        assertThat(mvc.get().uri("/actuator/health").header("X-API-Key", SecuredTestApplication.READ_KEY))
                .hasStatusOk().bodyJson().doesNotHavePath("$.components");
        assertThat(mvc.get().uri("/actuator/health").header("X-API-Key", SecuredTestApplication.ADMIN_KEY))
                .hasStatusOk().bodyJson().hasPath("$.components.diskSpace.details");
    }

    @Test
    void prometheusNeedsACredentialOfAnyScopeOnTheServerPort() {
        assertThat(mvc.get().uri("/actuator/prometheus").header("X-API-Key", SecuredTestApplication.INGEST_KEY))
                .hasStatusOk();
    }

    @Test
    void onlyHealthInfoAndPrometheusAreExposed() {
        assertThat(mvc.get().uri("/actuator/env").header("X-API-Key", SecuredTestApplication.ADMIN_KEY)).hasStatus(404);
        assertThat(mvc.get().uri("/actuator/beans").header("X-API-Key", SecuredTestApplication.ADMIN_KEY)).hasStatus(404);
    }
}
