package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationsTest {
    private final Durations seconds = new Durations.Seconds();

    @Test
    void aPlainNumberIsInTheOptionsOwnUnit() {
        assertThat(seconds.convert("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(new Durations.Minutes().convert("30")).isEqualTo(Duration.ofMinutes(30));
        assertThat(new Durations.Days().convert("30")).isEqualTo(Duration.ofDays(30));
        assertThat(new Durations.Millis().convert("5")).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void everyUnitIsRead() {
        assertThat(seconds.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(seconds.convert("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(seconds.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(seconds.convert("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(seconds.convert("1d")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void fractionsAreRead() {
        assertThat(seconds.convert("1.5h")).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void lessThanAMillisecondIsRefusedRatherThanReadAsZero() {
        assertThatThrownBy(() -> seconds.convert("0.0004")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("less than a millisecond");
        assertThat(seconds.convert("0")).isZero();
    }

    @Test
    void moreThanACenturyIsRefusedRatherThanOverflowingLater() {
        assertThatThrownBy(() -> new Durations.Days().convert("999999999999"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("longer than 100 years");
        assertThat(new Durations.Days().convert("36500")).isEqualTo(Duration.ofDays(36_500));
    }

    @Test
    void anythingElseIsRefusedWithTheAcceptedForms() {
        assertThatThrownBy(() -> seconds.convert("45 sec")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("45s").hasMessageContaining("'45 sec'");
    }
}
