package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.ErrorType;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.tester.AutoConfigureGraphQlTester;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Bad questions, asked of the running service: each is an RFC 9457 problem (404 for an unknown
 * view, 400 naming the parameter otherwise), never a 500, and GraphQL classifies the same
 * mistakes as NOT_FOUND, BAD_REQUEST or ValidationError. GraphQL limits are set low here (depth 2,
 * complexity 20) and introspection is left at its default, off.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"lambda.query.graphql.max-depth=2", "lambda.query.graphql.max-complexity=20"})
@Import(RealCassandra.class)
@ActiveProfiles("it")
@AutoConfigureGraphQlTester
class QueryErrorsIntegrationTests {

    private static final String KEYSPACE = "it_errors_" + Long.toHexString(System.nanoTime());
    private static final String RANGE = "from=2026-11-20T06:00:00Z&to=2026-11-20T14:00:00Z";

    @DynamicPropertySource
    static void ownKeyspace(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
    }

    @LocalServerPort
    int port;

    @Autowired
    GraphQlTester graphQl;

    ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    static Stream<Arguments> badRequests() {
        String series = "/api/v1/views/pageviews/series?";
        String top = "/api/v1/views/pageviews/top?";
        return Stream.of(
                Arguments.of("unknown view", "/api/v1/views/nope/series?key=a&" + RANGE, 404, "urn:lambda:problem:unknown-view", null),
                Arguments.of("unknown view, top", "/api/v1/views/nope/top?" + RANGE, 404, "urn:lambda:problem:unknown-view", null),
                Arguments.of("from not aligned to the hour", series + "key=a&from=2026-11-20T06:30:00Z&to=2026-11-20T14:00:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("to not aligned to the day", series + "key=a&granularity=day&from=2026-11-20T00:00:00Z&to=2026-11-21T01:00:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("reversed range", series + "key=a&from=2026-11-20T14:00:00Z&to=2026-11-20T06:00:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("empty range", series + "key=a&from=2026-11-20T06:00:00Z&to=2026-11-20T06:00:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("range too long", series + "key=a&granularity=minute&from=2026-11-01T00:00:00Z&to=2026-11-20T00:00:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("unknown granularity", series + "key=a&granularity=week&" + RANGE, 400, "urn:lambda:problem:bad-query", "granularity"),
                Arguments.of("missing key", series + RANGE, 400, "urn:lambda:problem:bad-query", "key"),
                Arguments.of("missing from", series + "key=a&to=2026-11-20T14:00:00Z", 400, "urn:lambda:problem:bad-query", "from"),
                Arguments.of("from not a date", series + "key=a&from=yesterday&to=2026-11-20T14:00:00Z", 400, "urn:lambda:problem:bad-query", "from"),
                Arguments.of("time without offset", series + "key=a&from=2026-11-20T06:00:00&to=2026-11-20T14:00:00Z", 400, "urn:lambda:problem:bad-query", "from"),
                Arguments.of("limit zero", top + RANGE + "&limit=0", 400, "urn:lambda:problem:bad-query", "limit"),
                Arguments.of("limit too large", top + RANGE + "&limit=100000", 400, "urn:lambda:problem:bad-query", "limit"),
                Arguments.of("limit not a number", top + RANGE + "&limit=ten", 400, null, null),
                Arguments.of("top range aligned to no granularity", top + "from=2026-11-20T06:00:30Z&to=2026-11-20T14:00:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("top over too many buckets", top + "from=2026-11-20T00:01:00Z&to=2026-11-22T00:01:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("unknown path", "/api/v1/nothing-here", 404, null, null));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badRequests")
    void badInputIsAProblemDetailNeverA500(String what, String path, int status, String type, String parameter) {
        ApiClient.Answer answer = api.get(path);
        assertThat(answer.status()).as(what + ": " + answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("status").asInt()).isEqualTo(status);
        assertThat(answer.body().get("detail").asString()).isNotBlank();
        if (type != null) {
            assertThat(answer.body().get("type").asString()).isEqualTo(type);
        }
        if (parameter != null) {
            assertThat(answer.body().get("parameter").asString()).isEqualTo(parameter);
        }
    }

    @Test
    void graphqlClassifiesAnUnknownViewAsNotFound() {
        graphQl.documentName("seriesTotal").variable("view", "nope").variable("key", "a")
                .variable("from", "2026-11-20T06:00:00Z").variable("to", "2026-11-20T14:00:00Z")
                .variable("granularity", "HOUR")
                .execute().errors().satisfy(errors -> {
                    assertThat(errors).hasSize(1);
                    assertThat(errors.get(0).getErrorType())
                            .isEqualTo(org.springframework.graphql.execution.ErrorType.NOT_FOUND);
                    assertThat(errors.get(0).getMessage()).contains("no view named 'nope'");
                });
    }

    @Test
    void graphqlClassifiesBadParametersAsBadRequest() {
        graphQl.documentName("seriesTotal").variable("view", "pageviews").variable("key", "/home")
                .variable("from", "2026-11-20T06:30:00Z").variable("to", "2026-11-20T14:00:00Z")
                .variable("granularity", "HOUR")
                .execute().errors().satisfy(errors -> {
                    assertThat(errors).hasSize(1);
                    assertThat(errors.get(0).getErrorType())
                            .isEqualTo(org.springframework.graphql.execution.ErrorType.BAD_REQUEST);
                    assertThat(errors.get(0).getExtensions()).containsEntry("parameter", "from/to");
                });
        graphQl.documentName("seriesTotal").variable("view", "pageviews")
                .variable("from", "2026-11-20T06:00:00Z").variable("to", "2026-11-20T14:00:00Z")
                .variable("granularity", "HOUR")
                .execute().errors().satisfy(errors -> assertThat(errors.get(0).getExtensions())
                        .containsEntry("parameter", "key"));
    }

    @Test
    void graphqlRejectsMalformedValuesBeforeReadingAnything() {
        for (String document : new String[] {"seriesLiteralBadDate", "seriesLiteralBadGranularity"}) {
            graphQl.documentName(document).execute().errors().satisfy(errors -> {
                assertThat(errors).as(document).isNotEmpty();
                assertThat(errors.get(0).getErrorType()).as(document).isEqualTo(ErrorType.ValidationError);
            });
        }
        graphQl.documentName("seriesTotal").variable("view", "pageviews").variable("key", "/home")
                .variable("from", "not a time").variable("to", "2026-11-20T14:00:00Z").variable("granularity", "HOUR")
                .execute().errors().satisfy(errors -> assertThat(errors.get(0).getErrorType())
                        .isEqualTo(ErrorType.ValidationError));
    }

    @Test
    void graphqlRefusesDocumentsTooDeepOrTooComplex() {
        graphQl.documentName("tooDeep").execute().errors().satisfy(errors -> assertThat(errors)
                .anySatisfy(error -> assertThat(error.getMessage()).containsIgnoringCase("depth")));
        graphQl.documentName("tooComplex").execute().errors().satisfy(errors -> assertThat(errors)
                .anySatisfy(error -> assertThat(error.getMessage()).containsIgnoringCase("complexity")));
        // within the limits the same fields are answered
        graphQl.documentName("views").execute().errors().verify();
    }

    @Test
    void introspectionIsOffUnlessConfigured() {
        graphQl.documentName("introspection").execute().errors().satisfy(errors -> assertThat(errors).isNotEmpty());
    }
}
