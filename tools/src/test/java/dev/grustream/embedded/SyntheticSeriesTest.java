package dev.grustream.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class SyntheticSeriesTest {
    @Test
    void keysAreNamedInAsciiDigitsWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("ar-EG"));

            assertThat(new SyntheticSeries(12, 1, 60_000, 0).next().key()).isEqualTo("series-0000");
        } finally {
            Locale.setDefault(before);
        }
    }
}
