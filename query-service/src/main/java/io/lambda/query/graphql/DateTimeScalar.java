package io.lambda.query.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import io.lambda.query.view.UtcTimes;
import io.lambda.query.view.ViewQueries;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * {@code DateTime}: an RFC 3339 date-time with an offset, or epoch milliseconds (as a string or an
 * integer, what Grafana substitutes for {@code ${__from}}), read as an {@link Instant}; written in UTC
 * ({@code 2026-11-26T10:00:00Z}), exactly as the REST API reads and writes times. A value that is
 * neither fails validation (a {@code ValidationError}), before anything is read.
 */
final class DateTimeScalar {

    static final GraphQLScalarType INSTANCE = GraphQLScalarType.newScalar()
            .name("DateTime")
            .description("An RFC 3339 date-time with an offset, e.g. 2026-11-26T10:00:00Z; read also as epoch "
                    + "milliseconds, e.g. 1795688100000")
            .coercing(new InstantCoercing())
            .build();

    private DateTimeScalar() {
    }

    private static final class InstantCoercing implements Coercing<Instant, String> {

        @Override
        public String serialize(Object value, GraphQLContext context, Locale locale) {
            if (value instanceof Instant instant) {
                return UtcTimes.format(instant);
            }
            if (value instanceof OffsetDateTime time) {
                return UtcTimes.format(time.toInstant());
            }
            throw new CoercingSerializeException("not a DateTime: " + value);
        }

        @Override
        public Instant parseValue(Object input, GraphQLContext context, Locale locale) {
            if (input instanceof String text) {
                try {
                    return parse(text);
                } catch (DateTimeParseException e) {
                    throw new CoercingParseValueException(message(text), e);
                }
            }
            if (input instanceof Long || input instanceof Integer || input instanceof BigInteger) {
                try {
                    return ViewQueries.epochMillis(input.toString());
                } catch (DateTimeParseException | NumberFormatException e) {
                    throw new CoercingParseValueException(message(input.toString()), e);
                }
            }
            throw new CoercingParseValueException("a DateTime is a string, e.g. \"2026-11-26T10:00:00Z\", or epoch "
                    + "milliseconds, not " + input);
        }

        @Override
        public Instant parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                                    Locale locale) {
            if (input instanceof StringValue text) {
                try {
                    return parse(text.getValue());
                } catch (DateTimeParseException e) {
                    throw new CoercingParseLiteralException(message(text.getValue()), e);
                }
            }
            if (input instanceof IntValue millis) {
                try {
                    return ViewQueries.epochMillis(millis.getValue().toString());
                } catch (DateTimeParseException | NumberFormatException e) {
                    throw new CoercingParseLiteralException(message(millis.getValue().toString()), e);
                }
            }
            throw new CoercingParseLiteralException("a DateTime is a string, e.g. \"2026-11-26T10:00:00Z\", or epoch "
                    + "milliseconds");
        }

        @Override
        public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
            return StringValue.newStringValue(serialize(input, context, locale)).build();
        }

        private static Instant parse(String text) {
            return ViewQueries.time(text);
        }

        private static String message(String text) {
            return "'" + text + "' is neither an RFC 3339 date-time with an offset, e.g. 2026-11-26T10:00:00Z, nor "
                    + "epoch milliseconds up to the year 9999";
        }
    }
}
