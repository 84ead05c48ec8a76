package io.lambda.core.measure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MeasureSpecTests {

	@ParameterizedTest
	@CsvSource(delimiter = ';', value = { "count; count", "sum(amount); sum(amount)", " min( amount ) ; min(amount)",
			"MAX(amount); max(amount)", "distinct(userId); distinct(userId)", "count(); count" })
	void parsesTheConfiguredTextAndPrintsItCanonically(String text, String canonical) {
		assertThat(MeasureSpec.parse(text)).hasToString(canonical);
	}

	@Test
	void createsTheMeasureItNames() {
		assertThat(MeasureSpec.parse("count").measure()).isEqualTo(new Count());
		assertThat(MeasureSpec.parse("sum(amount)").measure()).isEqualTo(new Sum("amount"));
		assertThat(MeasureSpec.parse("min(amount)").measure()).isEqualTo(new Min("amount"));
		assertThat(MeasureSpec.parse("max(amount)").measure()).isEqualTo(new Max("amount"));
		assertThat(MeasureSpec.parse("distinct(userId)").measure()).isEqualTo(new Distinct("userId", 12));
		assertThat(new Sum("amount").spec()).isEqualTo(MeasureSpec.parse("sum(amount)"));
	}

	@Test
	void rejectsAnUnknownMeasureNamingTheAcceptedOnes() {
		assertThatIllegalArgumentException().isThrownBy(() -> MeasureSpec.parse("avg(amount)"))
				.withMessage("unknown measure 'avg(amount)' (expected count, sum(field), min(field), max(field) or distinct(field))");
	}

	@Test
	void rejectsAFieldMeasureWithoutItsField() {
		assertThatIllegalArgumentException().isThrownBy(() -> MeasureSpec.parse("sum()"))
				.withMessage("measure sum needs a field name, e.g. sum(amount)");
		assertThatIllegalArgumentException().isThrownBy(() -> MeasureSpec.parse("distinct"))
				.withMessage("measure 'distinct' needs a field name, e.g. distinct(amount)");
	}

	@Test
	void rejectsBadFieldNamesAndFieldsOnCount() {
		assertThatIllegalArgumentException().isThrownBy(() -> MeasureSpec.parse("sum(the amount)"))
				.withMessageContaining("invalid field name");
		assertThatIllegalArgumentException().isThrownBy(() -> MeasureSpec.parse("count(x)"))
				.withMessage("measure count takes no field, was given 'x'");
		assertThatIllegalArgumentException().isThrownBy(() -> MeasureSpec.parse("sum(amount"))
				.withMessageStartingWith("cannot read measure 'sum(amount'");
		assertThatIllegalArgumentException().isThrownBy(() -> MeasureSpec.parse(" "))
				.withMessageStartingWith("measure must be set");
	}
}
