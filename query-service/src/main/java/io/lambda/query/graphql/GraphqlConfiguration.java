package io.lambda.query.graphql;

import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import io.lambda.query.system.QueryProperties;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;

/**
 * The GraphQL runtime: the {@code DateTime} scalar and the limits that keep one document from
 * costing more than many REST requests (Boot hands every {@code Instrumentation} bean to the engine).
 * Introspection follows {@code lambda.graphql.introspection} (off by default); GraphiQL is on in the
 * {@code local} profile only.
 */
@Configuration(proxyBeanMethods = false)
class GraphqlConfiguration {

    @Bean
    RuntimeWiringConfigurer dateTimeScalar() {
        return wiring -> wiring.scalar(DateTimeScalar.INSTANCE);
    }

    /**
     * Parsed and validated documents, kept by their text: dashboards send the same few documents
     * over and over, and validation is most of GraphQL's cost over REST. Depth and complexity are
     * checked at execution, so they still apply to a cached document.
     */
    @Bean
    GraphQlSourceBuilderCustomizer preparsedDocuments() {
        Cache<String, PreparsedDocumentEntry> documents = Caffeine.newBuilder().maximumSize(1_000).build();
        PreparsedDocumentProvider provider = (input, parseAndValidate) -> CompletableFuture.completedFuture(
                documents.get(input.getQuery(), query -> parseAndValidate.apply(input)));
        return builder -> builder.configureGraphQl(graphQl -> graphQl.preparsedDocumentProvider(provider));
    }

    @Bean
    MaxQueryDepthInstrumentation maxQueryDepth(QueryProperties properties) {
        return new MaxQueryDepthInstrumentation(properties.graphql().maxDepth());
    }

    @Bean
    MaxQueryComplexityInstrumentation maxQueryComplexity(QueryProperties properties) {
        return new MaxQueryComplexityInstrumentation(properties.graphql().maxComplexity());
    }

    @Bean
    DocumentLimits documentLimits(QueryProperties properties) {
        return new DocumentLimits(properties.graphql().maxDocumentChars(), properties.graphql().maxOperations());
    }
}
