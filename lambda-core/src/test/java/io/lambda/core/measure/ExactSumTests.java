package io.lambda.core.measure;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

class ExactSumTests {

	@Provide
	Arbitrary<List<Double>> amounts() {
		Arbitrary<Double> wild = Arbitraries.randomValue(
				random -> (random.nextDouble() - 0.5) * Math.pow(2, random.nextInt(400) - 200));
		Arbitrary<Double> money = Arbitraries.doubles().between(-10_000, 10_000).ofScale(2);
		return Arbitraries.oneOf(wild, money, Arbitraries.of(0.1, 0.2, 0.3, 1e16, -1e16, 1e-300, -0.0)).list().ofMaxSize(60);
	}

	@Property
	void theValueIsTheExactSumRoundedOnce(@ForAll("amounts") List<Double> amounts) {
		BigDecimal exact = BigDecimal.ZERO;
		ExactSum sum = new ExactSum();
		for (double amount : amounts) {
			exact = exact.add(new BigDecimal(amount));
			sum.add(amount);
		}
		assertThat(sum.exactValue()).isEqualByComparingTo(exact);
		assertThat(sum.value()).isEqualTo(exact.doubleValue() + 0.0);
	}

	@Property
	void everyOrderOfAdditionGivesTheSameSum(@ForAll("amounts") List<Double> amounts, @ForAll long seed) {
		List<Double> shuffled = new ArrayList<>(amounts);
		Collections.shuffle(shuffled, new Random(seed));
		ExactSum forwards = ExactSum.of(amounts.stream().mapToDouble(Double::doubleValue).toArray());
		ExactSum shuffledSum = ExactSum.of(shuffled.stream().mapToDouble(Double::doubleValue).toArray());
		assertThat(shuffledSum).isEqualTo(forwards).hasSameHashCodeAs(forwards);
		assertThat(shuffledSum.value()).isEqualTo(forwards.value());
		assertThat(shuffledSum.canonicalComponents()).isEqualTo(forwards.canonicalComponents());
	}

	@Property
	void theCanonicalComponentsAddUpToTheExactSum(@ForAll("amounts") List<Double> amounts) {
		ExactSum sum = ExactSum.of(amounts.stream().mapToDouble(Double::doubleValue).toArray());
		BigDecimal total = sum.canonicalComponents().stream().map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add);
		assertThat(total).isEqualByComparingTo(sum.exactValue());
	}

	@Example
	void roundsHalfwayCasesToEven() {
		// 1 + 2^-53 is halfway between 1 and the next double; ties go to the even one, 1.0
		assertThat(ExactSum.of(1.0, Math.pow(2, -53)).value()).isEqualTo(1.0);
		// a tiny extra part beyond the tie must round up, which naive pairwise rounding misses
		assertThat(ExactSum.of(1.0, Math.pow(2, -53), Math.pow(2, -110)).value()).isEqualTo(Math.nextUp(1.0));
	}

	@Example
	void addingASumToItselfDoublesIt() {
		ExactSum sum = ExactSum.of(0.1, 0.2);
		sum.addAll(sum);
		assertThat(sum).isEqualTo(ExactSum.of(0.1, 0.2, 0.1, 0.2));
	}
}
