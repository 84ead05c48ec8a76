package io.lambda.query.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.LightDataFetcher;
import io.lambda.core.time.Granularity;
import io.lambda.query.system.QueryProperties;
import io.lambda.query.view.Answers;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;

/**
 * The GraphQL runtime: the {@code DateTime} scalar, the cache of parsed documents and the limits that
 * keep one document from costing more than many REST requests ({@link DocumentLimits}).
 * Introspection follows {@code lambda.graphql.introspection} (off by default); GraphiQL is on in the
 * {@code local} profile only.
 */
@Configuration(proxyBeanMethods = false)
class GraphqlConfiguration {

    /**
     * The {@code DateTime} scalar, and {@code Granularity} values as the answers hold them, the ids
     * of REST ({@code "hour"} for {@code HOUR}): the answers serve both APIs without a conversion per
     * field, and an argument arrives as the id that {@link Granularity#parse} reads.
     */
    @Bean
    RuntimeWiringConfigurer dateTimeAndGranularity() {
        return wiring -> wiring.scalar(DateTimeScalar.INSTANCE)
                .type("Granularity", type -> type.enumValues(name -> Granularity.valueOf(name).id()));
    }

    /**
     * The {@code Float} fields that answers hold as a {@link Number} (a count is a {@code Long}, so
     * that REST writes {@code 42}): handed to GraphQL as the {@code Double} it would make of them.
     * GraphQL's {@code Float} turns any other number into a {@code Double} through its text and a
     * {@code BigDecimal}, 25 times per series (docs/performance.md); {@code doubleValue()} gives the
     * same double for a {@code Long}, {@code Double} or {@code BigDecimal}.
     */
    @Bean
    RuntimeWiringConfigurer floatsAsDoubles() {
        return wiring -> wiring
                .type("Point", type -> type.dataFetcher("value", asDouble(Answers.Point.class, Answers.Point::value)))
                .type("Series", type -> type.dataFetcher("total", asDouble(Answers.Series.class, Answers.Series::total)))
                .type("TopItem", type -> type.dataFetcher("value", asDouble(Answers.TopItem.class, Answers.TopItem::value)));
    }

    /** A field read straight from its source object: no environment is built, nothing is decorated. */
    private static <S> LightDataFetcher<Double> asDouble(Class<S> source, Function<S, Number> field) {
        return new LightDataFetcher<>() {
            @Override
            public Double get(GraphQLFieldDefinition definition, Object sourceObject,
                              Supplier<DataFetchingEnvironment> environment) {
                Number value = field.apply(source.cast(sourceObject));
                return value == null ? null : value.doubleValue();
            }

            @Override
            public Double get(DataFetchingEnvironment environment) {
                return get(environment.getFieldDefinition(), environment.getSource(), () -> environment);
            }
        };
    }

    /**
     * Parsed and validated documents, kept by their text: dashboards send the same few documents
     * over and over, and validation is most of GraphQL's cost over REST. The limits are checked at
     * execution ({@link DocumentLimits}), so they still apply to a cached document.
     *
     * <p>The limits are handed to the engine here rather than as an {@code Instrumentation} bean:
     * Spring wraps the beans in a {@code ChainedInstrumentation} even when there is one, which cost
     * ~6 % of a series' GraphQL work per field (docs/performance.md). Any other instrumentation bean
     * is chained after them, so none is dropped.
     */
    @Bean
    GraphQlSourceBuilderCustomizer documentsAndLimits(QueryProperties properties,
                                                      ObjectProvider<Instrumentation> otherInstrumentations) {
        Cache<String, PreparsedDocumentEntry> documents = Caffeine.newBuilder().maximumSize(1_000).build();
        PreparsedDocumentProvider provider = (input, parseAndValidate) -> CompletableFuture.completedFuture(
                documents.get(input.getQuery(), query -> parseAndValidate.apply(input)));
        QueryProperties.Graphql limits = properties.graphql();
        DocumentLimits documentLimits = new DocumentLimits(limits.maxDocumentChars(), limits.maxOperations(),
                limits.maxDepth(), limits.maxComplexity());
        List<Instrumentation> others = otherInstrumentations.orderedStream().toList();
        Instrumentation instrumentation = others.isEmpty() ? documentLimits
                : new ChainedInstrumentation(Stream.concat(Stream.of(documentLimits), others.stream()).toList());
        return builder -> builder.configureGraphQl(graphQl -> graphQl.preparsedDocumentProvider(provider)
                .instrumentation(instrumentation));
    }
}
