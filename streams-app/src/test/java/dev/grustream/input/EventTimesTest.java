package dev.grustream.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.data.Timestamps;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTimesTest {
    private static final long MILLIS = Instant.parse("2024-05-01T12:00:00.250Z").toEpochMilli();

    @Test
    void numbersAreReadAsSecondsMillisecondsMicrosecondsOrNanosecondsBySize() {
        assertThat(EventTimes.ofNumber(MILLIS / 1000.0)).isEqualTo(MILLIS);
        assertThat(EventTimes.ofNumber(MILLIS)).isEqualTo(MILLIS);
        assertThat(EventTimes.ofNumber(MILLIS * 1_000.0)).isEqualTo(MILLIS);
        assertThat(EventTimes.ofNumber(MILLIS * 1_000_000.0)).isEqualTo(MILLIS);
    }

    @Test
    void aPartBelowTheMillisecondIsDroppedInEveryFormAsIso8601DropsIt() {
        long iso = EventTimes.ofText("2024-05-01T12:00:00.250999Z");
        assertThat(iso).isEqualTo(MILLIS);
        assertThat(EventTimes.ofNumber(MILLIS / 1000.0 + 0.000999)).isEqualTo(iso);
        assertThat(EventTimes.ofNumber(MILLIS + 0.999)).isEqualTo(iso);
        assertThat(EventTimes.ofNumber(MILLIS * 1_000.0 + 999)).isEqualTo(iso);
        assertThat(EventTimes.ofNumber(MILLIS * 1_000_000.0 + 999_000)).isEqualTo(iso);
        assertThat(EventTimes.ofText(MILLIS + "999")).isEqualTo(iso);
    }

    @Test
    void aPartBelowTheMillisecondBeforeTheEpochIsDroppedTowardsThePast() {
        long iso = EventTimes.ofText("1969-12-31T23:59:59.9995Z");
        assertThat(iso).isEqualTo(-1);
        assertThat(EventTimes.ofNumber(-0.0005)).isEqualTo(iso);
        assertThat(EventTimes.ofNumber(-0.5)).isEqualTo(-500);
    }

    @Test
    void aDecimalFractionOfASecondThatBinaryCannotHoldKeepsItsMillisecond() {
        assertThat(EventTimes.ofText("1714564800.001")).isEqualTo(1714564800001L);
        assertThat(EventTimes.ofNumber(1714564800.001)).isEqualTo(1714564800001L);
        assertThat(EventTimes.ofNumber(1.001)).isEqualTo(1001);
    }

    @Test
    void anIntegerIsReadBySizeInIntegerArithmetic() {
        // As a double, 1714521600123999900 is 1714521600124000000: rounded to the microsecond, the next millisecond.
        assertThat(EventTimes.ofInteger(1_714_521_600_123_999_900L)).isEqualTo(1_714_521_600_123L);
        assertThat(EventTimes.ofText("1714521600123999900")).isEqualTo(1_714_521_600_123L);
        assertThat(EventTimes.ofInteger(MILLIS / 1000)).isEqualTo(MILLIS - 250);
        assertThat(EventTimes.ofInteger(MILLIS)).isEqualTo(MILLIS);
        assertThat(EventTimes.ofInteger(MILLIS * 1000 + 999)).isEqualTo(MILLIS);
        assertThat(EventTimes.ofInteger(-1)).isEqualTo(-1000);
        assertThat(EventTimes.ofInteger(-1_000_000_000_000_000_001L)).isEqualTo(-1_000_000_000_001L);
        assertThatThrownBy(() -> EventTimes.ofInteger(20_240_501)).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.reason()).isEqualTo(InputException.Reason.INVALID_TIME));
    }

    @Test
    void stringsAreReadAsNumbersOrIso8601() {
        assertThat(EventTimes.ofText(" " + MILLIS + " ")).isEqualTo(MILLIS);
        assertThat(EventTimes.ofText("2024-05-01T12:00:00.250Z")).isEqualTo(MILLIS);
        assertThat(EventTimes.ofText("2024-05-01T14:00:00.250+02:00")).isEqualTo(MILLIS);
        assertThat(EventTimes.ofText("2024-05-01T12:00:00.250")).isEqualTo(MILLIS);
        assertThat(EventTimes.ofText("2024-05-01 12:00:00.250")).isEqualTo(MILLIS);
    }

    @Test
    void anOffsetWithoutItsColonIsRead() {
        assertThat(EventTimes.ofText("2024-05-01T14:00:00.250+0200")).isEqualTo(MILLIS);
        assertThat(EventTimes.ofText("2024-05-01 07:00:00.250-0500")).isEqualTo(MILLIS);
        assertThat(EventTimes.ofText("2024-05-01t14:00:00.250+0200")).isEqualTo(MILLIS);
    }

    @Test
    void anOffsetOfHoursAloneIsRead() {
        assertThat(EventTimes.ofText("2024-05-01 14:00:00.250+02")).isEqualTo(MILLIS);
    }

    @Test
    void anIsoTimeWithARegionAfterItsOffsetIsRead() {
        assertThat(EventTimes.ofText("2024-05-01T14:00:00.250+02:00[Europe/Paris]")).isEqualTo(MILLIS);
    }

    @Test
    void aDateAloneIsItsMidnightInUtc() {
        assertThat(EventTimes.ofText("2024-05-01")).isEqualTo(EventTimes.ofText("2024-05-01T00:00:00Z"));
        assertThatThrownBy(() -> EventTimes.ofText("2024-13-01")).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.reason()).isEqualTo(InputException.Reason.INVALID_TIME));
    }

    @Test
    void anythingElseIsAnInvalidTime() {
        assertThatThrownBy(() -> EventTimes.ofText("yesterday")).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.reason()).isEqualTo(InputException.Reason.INVALID_TIME));
        assertThatThrownBy(() -> EventTimes.ofNumber(Double.NaN)).isInstanceOf(InputException.class);
        assertThatThrownBy(() -> EventTimes.ofText(MILLIS + "\u001b")).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.reason()).isEqualTo(InputException.Reason.INVALID_TIME));
    }

    @Test
    void aTimeBeyondTheRangeOfEpochMillisecondsIsInvalid() {
        assertThatThrownBy(() -> EventTimes.ofText("+999999999-01-01T00:00:00Z")).isInstanceOfSatisfying(
                InputException.class, e -> assertThat(e.reason()).isEqualTo(InputException.Reason.INVALID_TIME));
        assertThatThrownBy(() -> EventTimes.millis(Instant.MAX)).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.reason()).isEqualTo(InputException.Reason.INVALID_TIME));
        assertThatThrownBy(() -> EventTimes.ofNumber(1e40)).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.reason()).isEqualTo(InputException.Reason.INVALID_TIME));
    }

    @Test
    void anEightDigitNumberThatIsAlsoADateIsRefusedAsAmbiguous() {
        assertThatThrownBy(() -> EventTimes.ofText("20240501")).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e).hasMessageContaining("ambiguous").hasMessageContaining("yyyyMMdd")
                        .extracting(InputException::reason).isEqualTo(InputException.Reason.INVALID_TIME));
        assertThatThrownBy(() -> EventTimes.ofText(" 19991231 ")).isInstanceOf(InputException.class);
        assertThatThrownBy(() -> EventTimes.ofNumber(20240501)).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e).hasMessageContaining("ambiguous"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"202405011200", "20240501120000", "199912312359", "2.02405011200e11"})
    void aDateAndTimeWrittenAsDigitsIsRefusedAsAmbiguous(String time) {
        assertThatThrownBy(() -> EventTimes.ofText(time)).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e).hasMessageContaining("ambiguous")
                        .extracting(InputException::reason).isEqualTo(InputException.Reason.INVALID_TIME));
        assertThatThrownBy(() -> EventTimes.ofNumber(Double.parseDouble(time))).isInstanceOf(InputException.class);
    }

    @ParameterizedTest
    @ValueSource(longs = {2024050112L, 202405011260L, 20240501120060L, 202413011200L})
    void digitsThatNameNoTimeOfADayOrHoursAloneAreStillReadBySize(long time) {
        assertThat(EventTimes.ofInteger(time)).isEqualTo(Timestamps.ofEpochInteger(time));
    }

    @Test
    void anEightDigitNumberThatIsNoDateIsStillEpochSeconds() {
        assertThat(EventTimes.ofText("20241301")).isEqualTo(20_241_301_000L);
        assertThat(EventTimes.ofNumber(20240230)).isEqualTo(20_240_230_000L);
        assertThat(EventTimes.ofNumber(20240501.5)).isEqualTo(20_240_501_500L);
        assertThat(EventTimes.ofText("18991231")).isEqualTo(18_991_231_000L);
    }
}
