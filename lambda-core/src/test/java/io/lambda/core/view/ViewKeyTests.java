package io.lambda.core.view;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ViewKeyTests {

	/** Values made mostly of the characters that matter: separators, escapes and nothing at all. */
	@Provide
	Arbitrary<String> values() {
		return Arbitraries.strings().withChars('|', '\\', 'a', '/', 'é').ofMaxLength(6);
	}

	@Provide
	Arbitrary<List<String>> valueLists() {
		return Arbitraries.integers().between(0, 4).flatMap(n -> values().list().ofSize(n));
	}

	@Property(tries = 2000)
	void decodeReversesEncode(@ForAll("valueLists") List<String> values) {
		assertThat(ViewKey.decode(ViewKey.encode(values), values.size())).isEqualTo(values);
	}

	@Property(tries = 2000)
	void distinctValueListsNeverShareAKey(@ForAll @IntRange(min = 1, max = 4) int dimensions,
			@ForAll("values") String a1, @ForAll("values") String a2, @ForAll("values") String a3, @ForAll("values") String a4,
			@ForAll("values") String b1, @ForAll("values") String b2, @ForAll("values") String b3, @ForAll("values") String b4) {
		List<String> a = List.of(a1, a2, a3, a4).subList(0, dimensions);
		List<String> b = List.of(b1, b2, b3, b4).subList(0, dimensions);
		if (!a.equals(b)) {
			assertThat(ViewKey.encode(a)).isNotEqualTo(ViewKey.encode(b));
		}
	}

	@Example
	void oneDimensionIsTheValueExactlyAsSent() {
		assertThat(ViewKey.encode(List.of("/a|b\\c"))).isEqualTo("/a|b\\c");
		assertThat(ViewKey.decode("/a|b\\c", 1)).containsExactly("/a|b\\c");
	}

	@Example
	void severalDimensionsAreJoinedByABarWithBarsAndBackslashesEscaped() {
		assertThat(ViewKey.encode(List.of("DE", "/home"))).isEqualTo("DE|/home");
		assertThat(ViewKey.encode(List.of("a|b", "c\\"))).isEqualTo("a\\|b|c\\\\");
		assertThat(ViewKey.encode(List.of("", ""))).isEqualTo("|");
	}

	@Example
	void noDimensionsIsTheEmptyKey() {
		assertThat(ViewKey.encode(List.of())).isEmpty();
		assertThat(ViewKey.decode("", 0)).isEmpty();
	}

	@Example
	void rejectsKeysThatDoNotFitTheView() {
		assertThatIllegalArgumentException().isThrownBy(() -> ViewKey.decode("a|b|c", 2))
				.withMessage("key 'a|b|c' has 3 values, the view has 2 group-by dimensions");
		assertThatIllegalArgumentException().isThrownBy(() -> ViewKey.decode("a|b\\", 2))
				.withMessageContaining("unfinished escape");
		assertThatIllegalArgumentException().isThrownBy(() -> ViewKey.decode("a\\b|c", 2))
				.withMessageContaining("only '|' and '\\' are escaped");
		assertThatIllegalArgumentException().isThrownBy(() -> ViewKey.decode("x", 0))
				.withMessageContaining("only the empty key");
	}

	@Example
	void keysAreOrderedByCodePointAsCassandraOrdersTextNotByUtf16Units() {
		String supplementary = new String(Character.toChars(0x1F600)); // a surrogate pair in UTF-16
		String lastBmp = "\uFFFD";
		List<String> keys = new java.util.ArrayList<>(List.of(supplementary, lastBmp, "/b", "/a", "/a/x", ""));

		keys.sort(ViewKey.ORDER);

		assertThat(keys).containsExactly("", "/a", "/a/x", "/b", lastBmp, supplementary);
		assertThat(lastBmp.compareTo(supplementary)).as("String.compareTo orders them the other way").isPositive();
	}
}
