package dev.grustream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecimalsTest {
    @ParameterizedTest
    @ValueSource(strings = {"12", "-0.5", "+1.5", ".5", "5.", "1e-3", "2E4", " 7 ", "-.5e+2", "00012", "19.95",
        "\t3\r\n"})
    void readsDecimalNumbers(String text) {
        assertThat(Decimals.parse(text)).isEqualTo(Double.parseDouble(text.strip()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"12f", "12d", "0x1p3", "NaN", "Infinity", "-Infinity", "1_000", "1,5", "", ".", "1e", "+",
        "1e+", "--1", "1.2.3", "\u0661", "12\u0000", "\u00071", "\u001b12"})
    void refusesWhatOnlyJavasLiteralGrammarOrNothingTakes(String text) {
        assertThatThrownBy(() -> Decimals.parse(text)).isInstanceOf(NumberFormatException.class)
                .hasMessageContaining("is not a decimal number");
    }

    @Test
    void aDecimalBeyondADoublesRangeIsTheLargestDoubleOfItsSign() {
        assertThat(Decimals.parse("1e400")).isEqualTo(Double.MAX_VALUE);
        assertThat(Decimals.parse("-1e400")).isEqualTo(-Double.MAX_VALUE);
        assertThat(Decimals.parse("1" + "0".repeat(400))).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void aLongTextIsQuotedShortWithoutSplittingACharacter() {
        String text = "a".repeat(39) + "\uD83D\uDE00" + "b".repeat(100);

        assertThat(Decimals.quoted(text)).isEqualTo("'" + "a".repeat(39) + "\uD83D\uDE00...' (141 characters)");
        assertThat(Decimals.quoted("12x")).isEqualTo("'12x'");
    }

    @Test
    void aQuotedTextCannotStartALineOfItsOwn() {
        assertThat(Decimals.quoted("12\nFAKE ERROR line\r\t")).isEqualTo("'12\\u000aFAKE ERROR line\\u000d\\u0009'");
    }
}
