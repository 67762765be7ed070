package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CalendarFeatureTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void timeOfDayIsTheFractionOfTheLocalDay() {
        assertThat(CalendarFeature.TIME_OF_DAY.position(at("2024-03-04T06:00:00Z"), ZoneOffset.UTC)).isEqualTo(0.25);
        assertThat(CalendarFeature.TIME_OF_DAY.position(at("2024-03-04T06:00:00Z"), ZoneOffset.ofHours(-6)))
                .isZero();
        assertThat(CalendarFeature.TIME_OF_DAY.position(at("1969-12-31T18:00:00Z"), ZoneOffset.UTC)).isEqualTo(0.75);
    }

    @Test
    void localNoonStaysNoonAcrossADaylightSavingChange() {
        // Paris is UTC+1 in winter and UTC+2 in summer; 31 March 2024 is the day it changes.
        assertThat(CalendarFeature.TIME_OF_DAY.position(at("2024-03-30T11:00:00Z"), PARIS)).isEqualTo(0.5);
        assertThat(CalendarFeature.TIME_OF_DAY.position(at("2024-04-01T10:00:00Z"), PARIS)).isEqualTo(0.5);
    }

    @Test
    void dayOfWeekCountsFromMondayMidnight() {
        // 4 March 2024 was a Monday.
        assertThat(CalendarFeature.DAY_OF_WEEK.position(at("2024-03-04T00:00:00Z"), ZoneOffset.UTC)).isZero();
        assertThat(CalendarFeature.DAY_OF_WEEK.position(at("2024-03-07T12:00:00Z"), ZoneOffset.UTC))
                .isCloseTo(3.5 / 7, within(1e-15));
        assertThat(CalendarFeature.DAY_OF_WEEK.position(at("2024-03-10T18:00:00Z"), ZoneOffset.UTC))
                .isCloseTo(6.75 / 7, within(1e-15));
    }

    @Test
    void dayOfYearCountsFromFirstJanuaryOverTheYearsLength() {
        assertThat(CalendarFeature.DAY_OF_YEAR.position(at("2024-01-01T00:00:00Z"), ZoneOffset.UTC)).isZero();
        assertThat(CalendarFeature.DAY_OF_YEAR.position(at("2024-12-31T12:00:00Z"), ZoneOffset.UTC))
                .isCloseTo(365.5 / 366, within(1e-15));
        assertThat(CalendarFeature.DAY_OF_YEAR.position(at("2023-12-31T12:00:00Z"), ZoneOffset.UTC))
                .isCloseTo(364.5 / 365, within(1e-15));
    }

    @Test
    void writesTheSineAndCosineOfThePosition() {
        float[] out = new float[4];

        CalendarFeature.TIME_OF_DAY.write(at("2024-03-04T06:00:00Z"), ZoneOffset.UTC, out, 1);

        assertThat(out[0]).isZero();
        assertThat(out[1]).isEqualTo(1f);
        assertThat(out[2]).isCloseTo(0f, within(1e-7f));
        assertThat(out[3]).isZero();
    }

    @Test
    void isNamedInModelJsonByItsJsonName() {
        assertThat(CalendarFeature.fromJsonName("day-of-week")).isEqualTo(CalendarFeature.DAY_OF_WEEK);
        assertThatThrownBy(() -> CalendarFeature.fromJsonName("hour")).hasMessageContaining("time-of-day");
    }
}
