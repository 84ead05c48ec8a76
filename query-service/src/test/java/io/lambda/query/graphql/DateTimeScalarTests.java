package io.lambda.query.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@code DateTime} reads what Grafana substitutes for {@code ${__from}}: epoch milliseconds as a
 * string, an integer literal or an integer variable, besides RFC 3339; anything else is refused.
 */
class DateTimeScalarTests {

    private static final Instant T = Instant.parse("2024-12-07T14:00:00.123Z");

    @SuppressWarnings("unchecked")
    private final Coercing<Instant, String> coercing = (Coercing<Instant, String>) DateTimeScalar.INSTANCE.getCoercing();
    private final GraphQLContext context = GraphQLContext.getDefault();

    @Test
    void epochMillisecondsAreReadAsLiteralsAndVariablesOfEitherType() {
        assertThat(literal(new StringValue("1733580000123"))).isEqualTo(T);
        assertThat(literal(new IntValue(BigInteger.valueOf(1733580000123L)))).isEqualTo(T);
        assertThat(coercing.parseValue("1733580000123", context, Locale.ROOT)).isEqualTo(T);
        assertThat(coercing.parseValue(1733580000123L, context, Locale.ROOT)).isEqualTo(T);
        assertThat(coercing.parseValue(BigInteger.valueOf(1733580000123L), context, Locale.ROOT)).isEqualTo(T);
        assertThat(coercing.parseValue("2024-12-07T15:00:00.123+01:00", context, Locale.ROOT)).isEqualTo(T);
        assertThat(coercing.serialize(T, context, Locale.ROOT)).isEqualTo("2024-12-07T14:00:00.123Z");
    }

    @Test
    void negativeFractionalOrTooLargeNumbersAreRefused() {
        assertThatThrownBy(() -> literal(new IntValue(BigInteger.valueOf(-1))))
                .isInstanceOf(CoercingParseLiteralException.class);
        assertThatThrownBy(() -> literal(new IntValue(new BigInteger("1" + "0".repeat(30)))))
                .isInstanceOf(CoercingParseLiteralException.class);
        assertThatThrownBy(() -> literal(new FloatValue(new BigDecimal("1733580000123.5"))))
                .isInstanceOf(CoercingParseLiteralException.class);
        assertThatThrownBy(() -> coercing.parseValue(-1L, context, Locale.ROOT))
                .isInstanceOf(CoercingParseValueException.class);
        assertThatThrownBy(() -> coercing.parseValue(1.5, context, Locale.ROOT))
                .isInstanceOf(CoercingParseValueException.class);
        assertThatThrownBy(() -> coercing.parseValue("253402300800000", context, Locale.ROOT))
                .isInstanceOf(CoercingParseValueException.class);
    }

    private Instant literal(graphql.language.Value<?> value) {
        return coercing.parseLiteral(value, CoercedVariables.emptyVariables(), context, Locale.ROOT);
    }
}
