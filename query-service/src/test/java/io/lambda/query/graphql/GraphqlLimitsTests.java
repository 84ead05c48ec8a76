package io.lambda.query.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.verifyNoInteractions;

import graphql.introspection.IntrospectionQuery;
import io.lambda.query.freshness.FreshnessQuery;
import io.lambda.query.system.QueryMetrics;
import io.lambda.query.system.QueryProperties;
import io.lambda.query.view.ViewQueries;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The GraphQL limits with the default settings of application.yaml: a document over a limit is
 * refused before any resolver runs, so the views, Cassandra and the metrics never see it. The
 * schema's own fields are 3 levels deep, so deep documents here reach into introspection fields.
 */
@GraphQlTest(controllers = QueryGraphqlController.class)
@Import(GraphqlConfiguration.class)
@EnableConfigurationProperties(QueryProperties.class)
class GraphqlLimitsTests {

    private static final String SERIES = "series(view: \"pageviews\", key: \"/home\", from: \"2026-11-20T06:00:00Z\", "
            + "to: \"2026-11-20T14:00:00Z\", granularity: HOUR) { points { start value } total }";

    @Autowired
    GraphQlTester graphQl;

    @MockitoBean
    ViewQueries queries;

    @MockitoBean
    FreshnessQuery freshness;

    @MockitoBean
    QueryMetrics metrics;

    @Test
    void aDocumentCostlierThan200FieldsIsRefusedBeforeItExecutesEveryTimeItIsSent() {
        // 70 aliased series of 4 fields each: 280 > 200
        String document = IntStream.range(0, 70).mapToObj(i -> "s" + i + ": " + SERIES)
                .collect(Collectors.joining("\n", "{\n", "\n}"));

        // the verdict is kept per parsed document: the second and third sends take it from there
        for (int send = 0; send < 3; send++) {
            graphQl.document(document).execute().errors().satisfy(errors -> assertThat(errors)
                    .anySatisfy(error -> assertThat(error.getMessage()).containsIgnoringCase("complexity")));
        }
        verifyNoInteractions(queries, freshness, metrics);
    }

    @Test
    void aDocumentDeeperThan10IsRefusedBeforeItExecutes() {
        // 11 deep; it also asks for __typename, so it is no introspection document
        String deep = "{ __typename __schema { types { fields { type { ofType { ofType { ofType { ofType "
                + "{ ofType { ofType { name } } } } } } } } } } }";

        graphQl.document(deep).execute().errors().satisfy(errors -> assertThat(errors)
                .anySatisfy(error -> assertThat(error.getMessage()).containsIgnoringCase("depth")));
        verifyNoInteractions(queries, freshness, metrics);
    }

    @Test
    void theStandardIntrospectionQueryIsExemptFromDepthAndComplexity() {
        // 15 deep and far over 200 fields: what GraphiQL, codegen tools and Grafana's GraphQL sources send
        graphQl.document(IntrospectionQuery.INTROSPECTION_QUERY).execute().errors().verify()
                .path("__schema.queryType.name").entity(String.class).isEqualTo("Query")
                .path("__schema.types[*].name").entityList(String.class).contains("Series", "KeyList", "DateTime");
        // the same selections under a fragment and a named operation are still introspection
        graphQl.document("query schema { ...deep } fragment deep on Query { __schema { types { fields { type { "
                + "ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }")
                .operationName("schema").execute().errors().verify();
    }

    @Test
    void introspectionInBadFaithIsStillRefusedByGraphqlJava() {
        // exempt from our limits, but graphql-java's good-faith check allows __Type.fields only once
        String cyclic = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";

        graphQl.document(cyclic).execute().errors().satisfy(errors -> assertThat(errors)
                .anySatisfy(error -> assertThat(error.getMessage()).containsIgnoringCase("introspection")));
    }

    @Test
    void aDocumentWhoseDepthDependsOnItsVariablesIsMeasuredEveryTime() {
        // 11 deep only when $deep is true: a verdict kept from the first send would let the second through
        String document = "query q($deep: Boolean!) { __typename __schema { types { name fields @include(if: $deep) "
                + "{ type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }";

        graphQl.document(document).variable("deep", false).execute().errors().verify();
        graphQl.document(document).variable("deep", true).execute().errors().satisfy(errors -> assertThat(errors)
                .anySatisfy(error -> assertThat(error.getMessage()).containsIgnoringCase("depth")));
        graphQl.document(document).variable("deep", false).execute().errors().verify();
    }

    @Test
    void moreOperationsThanAllowedOrALongerDocumentIsRefusedBeforeItExecutes() {
        String elevenOperations = IntStream.range(0, 11).mapToObj(i -> "query q" + i + " { freshness { checkedAt } }")
                .collect(Collectors.joining("\n"));
        graphQl.document(elevenOperations).operationName("q0").execute().errors().satisfy(errors -> assertThat(errors)
                .anySatisfy(error -> assertThat(error.getMessage()).contains("11 operations")));

        String padded = "{ freshness { checkedAt } }" + " ".repeat(16_384);
        graphQl.document(padded).execute().errors().satisfy(errors -> assertThat(errors)
                .anySatisfy(error -> assertThat(error.getMessage()).contains("characters long")));
        verifyNoInteractions(queries, freshness, metrics);
    }
}
