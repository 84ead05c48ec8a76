package io.lambda.query.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Numbers in answers: whole ones without a fraction (as docs/api.md shows them), others as they are. */
class AnswersTests {

    @Test
    void wholeNumbersAreIntegersOthersStayDoublesAndNullStaysNull() {
        assertThat(Answers.number(42.0)).isEqualTo(42L);
        assertThat(Answers.number(0.0)).isEqualTo(0L);
        assertThat(Answers.number(12.5)).isEqualTo(12.5);
        assertThat(Answers.number(1e300)).isEqualTo(1e300);
        assertThat(Answers.number(null)).isNull();
    }
}
