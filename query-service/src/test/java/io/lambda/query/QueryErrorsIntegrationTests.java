package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.ErrorType;
import graphql.introspection.IntrospectionQuery;
import graphql.introspection.IntrospectionResultToSchema;
import graphql.language.AstPrinter;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLNamedType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLTypeUtil;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.UnExecutableSchemaGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
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
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bad questions, asked of the running service: each is an RFC 9457 problem (404 for an unknown
 * view, 400 naming the parameter otherwise), never a 500, and GraphQL classifies the same
 * mistakes as NOT_FOUND, BAD_REQUEST or ValidationError. GraphQL limits are set low here (depth 2,
 * complexity 20): documents beyond them are refused, the standard introspection query is not.
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

    private static final JsonMapper JSON = JsonMapper.builder().build();

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
                Arguments.of("epoch milliseconds after 9999", series + "key=a&from=1763618400000&to=253402300800000", 400, "urn:lambda:problem:bad-query", "to"),
                Arguments.of("negative epoch milliseconds", series + "key=a&from=-1&to=1763647200000", 400, "urn:lambda:problem:bad-query", "from"),
                Arguments.of("reversed epoch milliseconds", series + "key=a&from=1763647200000&to=1763618400000", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("widened range too long", series + "key=a&granularity=minute&from=1763618400000&to=1764300000001", 400, "urn:lambda:problem:bad-query", "from/to"),
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
                Arguments.of("top range aligned to no granularity, too long in days", top + "from=2025-01-01T06:00:30Z&to=2026-11-20T14:00:00Z", 400, "urn:lambda:problem:bad-query", "from/to"),
                Arguments.of("keys of an unknown view", "/api/v1/views/nope/keys", 404, "urn:lambda:problem:unknown-view", null),
                Arguments.of("keys limit zero", "/api/v1/views/pageviews/keys?limit=0", 400, "urn:lambda:problem:bad-query", "limit"),
                Arguments.of("keys limit too large", "/api/v1/views/pageviews/keys?limit=1001", 400, "urn:lambda:problem:bad-query", "limit"),
                Arguments.of("keys limit not a number", "/api/v1/views/pageviews/keys?limit=all", 400, null, null),
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
                .variable("from", "2026-11-20T14:00:00Z").variable("to", "2026-11-20T06:00:00Z")
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
    void theStandardIntrospectionQueryAnswersAReadKeyWithTheSchemaOfSchemaGraphqls() throws IOException {
        // depth 2 and complexity 20 here: the introspection query is 15 deep and far more complex
        ApiClient.Answer answer = api.postGraphql("application/json",
                JSON.writeValueAsString(Map.of("query", IntrospectionQuery.INTROSPECTION_QUERY)));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().has("errors")).as(answer.body().toString()).isFalse();

        Map<String, Object> introspected = JSON.convertValue(answer.body().get("data"), new TypeReference<>() {
        });
        GraphQLSchema served = UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser()
                .parse(AstPrinter.printAst(new IntrospectionResultToSchema().createSchemaDefinition(introspected))));
        GraphQLSchema declared;
        try (InputStream in = getClass().getResourceAsStream("/graphql/schema.graphqls")) {
            declared = UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser()
                    .parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
        Map<String, String> servedTypes = shapes(served);
        assertThat(servedTypes).containsKeys("Query", "Series", "TopList", "KeyList", "Freshness", "DateTime",
                "Granularity");
        assertThat(servedTypes).isEqualTo(shapes(declared));
    }

    @Test
    void graphiqlIsAnOpenPageWhileGraphqlNeedsAKey() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/graphiql"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>GraphiQL</title>");

        HttpResponse<String> keyless = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/graphql"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ __schema { queryType { name } } }\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(keyless.statusCode()).isEqualTo(401);
    }

    /**
     * Every named type of a schema but the introspection types, with what a client relies on: its
     * kind, and per field its arguments with their types and defaults and its own type; enum values.
     */
    private static Map<String, String> shapes(GraphQLSchema schema) {
        Map<String, String> shapes = new TreeMap<>();
        for (GraphQLNamedType type : schema.getAllTypesAsList()) {
            if (type.getName().startsWith("__")) {
                continue;
            }
            StringBuilder shape = new StringBuilder(type.getClass().getSimpleName());
            if (type instanceof GraphQLFieldsContainer container) {
                container.getFieldDefinitions().stream().sorted(Comparator.comparing(GraphQLFieldDefinition::getName))
                        .forEach(field -> {
                            shape.append(' ').append(field.getName()).append('(');
                            field.getArguments().stream().sorted(Comparator.comparing(GraphQLArgument::getName))
                                    .forEach(argument -> shape.append(argument.getName()).append(':')
                                            .append(GraphQLTypeUtil.simplePrint(argument.getType()))
                                            .append(argument.hasSetDefaultValue()
                                                    ? "=" + argument.getArgumentDefaultValue().getValue() : "")
                                            .append(' '));
                            shape.append("):").append(GraphQLTypeUtil.simplePrint(field.getType()));
                        });
            }
            if (type instanceof GraphQLEnumType enumType) {
                enumType.getValues().forEach(value -> shape.append(' ').append(value.getName()));
            }
            shapes.put(type.getName(), shape.toString());
        }
        return shapes;
    }
}
