package io.lambda.query.graphql;

import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.schema.DataFetchingEnvironment;
import io.lambda.query.layer.LayerUnavailableException;
import io.lambda.query.view.BadQueryException;
import io.lambda.query.view.UnknownViewException;
import java.util.Map;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.stereotype.Component;

/**
 * The query errors as GraphQL errors, classified as REST answers them: bad input
 * {@code BAD_REQUEST} (with the parameter), unknown view {@code NOT_FOUND}, an unreadable layer
 * {@code UNAVAILABLE} (REST's 503). Anything else is left to Spring ({@code INTERNAL_ERROR}).
 */
@Component
class GraphqlErrors extends DataFetcherExceptionResolverAdapter {

    /** A layer the answer cannot do without is unreadable: ask again later. */
    enum QueryErrorType implements ErrorClassification {
        UNAVAILABLE
    }

    @Override
    protected GraphQLError resolveToSingleError(Throwable ex, DataFetchingEnvironment env) {
        if (ex instanceof BadQueryException bad) {
            return GraphqlErrorBuilder.newError(env).errorType(ErrorType.BAD_REQUEST).message(bad.getMessage())
                    .extensions(Map.of("parameter", bad.parameter())).build();
        }
        if (ex instanceof UnknownViewException unknown) {
            return GraphqlErrorBuilder.newError(env).errorType(ErrorType.NOT_FOUND).message(unknown.getMessage())
                    .build();
        }
        if (ex instanceof LayerUnavailableException unavailable) {
            return GraphqlErrorBuilder.newError(env).errorType(QueryErrorType.UNAVAILABLE)
                    .message(unavailable.getMessage()).extensions(Map.of("layer", unavailable.layer().id())).build();
        }
        return null;
    }
}
