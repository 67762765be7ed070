package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DayProfileTest {
    private static final long MIDNIGHT = Instant.parse("2024-03-04T00:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;
    private static final double HALF_LIFE_DAYS = 4;
    private static final ZoneId UTC = ZoneOffset.UTC;

    @Test
    void aBinsFirstValueSetsItAndALaterDayMovesItByItsHalfLifeInDays() {
        DayProfile profile = DayProfile.empty(96, false);

        profile.observe(10, MIDNIGHT + 5 * MINUTE, UTC, HALF_LIFE_DAYS);
        assertThat(profile.bin(0)).isEqualTo(10f);
        profile.observe(20, MIDNIGHT + DAY + 5 * MINUTE, UTC, HALF_LIFE_DAYS);

        // One event a day in that bin: the bin forgets with a half-life of 4 events.
        double alpha = 1 - Math.pow(2, -1 / HALF_LIFE_DAYS);
        assertThat(profile.bin(0)).isCloseTo((float) (10 + alpha * 10), within(1e-5f));
        assertThat(profile.bin(1)).isNaN();
        assertThat(profile.lastValue()).isEqualTo(20);
        assertThat(profile.events()).isEqualTo(2);
        assertThat(profile.lastTime()).isEqualTo(MIDNIGHT + DAY + 5 * MINUTE);
    }

    @Test
    void aBinVisitedManyTimesADayForgetsAtTheSamePaceInDays() {
        DayProfile profile = DayProfile.empty(96, false);
        for (int i = 0; i < 100; i++) {
            profile.observe(0, MIDNIGHT - (100 - i) * MINUTE, UTC, HALF_LIFE_DAYS);
        }
        float before = profile.bin(0);
        profile.observe(10, MIDNIGHT, UTC, HALF_LIFE_DAYS);

        // Events a minute apart visit a 15-minute bin 15 times a day: each moves it by 1 - 2^(-1/(4 * 15)).
        double alpha = 1 - Math.pow(2, -1 / (HALF_LIFE_DAYS * 15));
        assertThat(before).isNaN();
        assertThat(profile.bin(0)).isEqualTo(10f);
        profile.observe(0, MIDNIGHT + MINUTE, UTC, HALF_LIFE_DAYS);
        assertThat(profile.bin(0)).isCloseTo((float) (10 - alpha * 10), within(1e-4f));
    }

    @Test
    void theFastMeanFollowsAStepInAFewEventsAndTheSlowOneInTens() {
        DayProfile profile = DayProfile.empty(96, false);
        for (int i = 0; i < 100; i++) {
            profile.observe(0, MIDNIGHT + i * MINUTE, UTC, HALF_LIFE_DAYS);
        }
        for (int i = 0; i < 8; i++) {
            profile.observe(10, MIDNIGHT + (100 + i) * MINUTE, UTC, HALF_LIFE_DAYS);
        }

        assertThat(profile.fastMean()).isCloseTo(10 * (1 - Math.pow(2, -8 / 4.0)), within(1e-9));
        assertThat(profile.slowMean()).isCloseTo(10 * (1 - Math.pow(2, -8 / 32.0)), within(1e-9));
    }

    @Test
    void theMeanIntervalIgnoresMostOfAPause() {
        DayProfile profile = DayProfile.empty(96, false);
        for (int i = 0; i < 100; i++) {
            profile.observe(1, MIDNIGHT + i * MINUTE, UTC, HALF_LIFE_DAYS);
        }
        assertThat(profile.meanInterval()).isCloseTo(60, within(1e-9));

        profile.observe(1, MIDNIGHT + 99 * MINUTE + 3_600_000, UTC, HALF_LIFE_DAYS);

        // The hour-long gap counts as 4 mean intervals, 240 s, with the weight of a half-life of 32 events.
        double weight = 1 - Math.pow(2, -1 / 32.0);
        assertThat(profile.meanInterval()).isCloseTo(60 + weight * (240 - 60), within(1e-9));
    }

    @Test
    void aPauseAfterTheFirstEventCountsAsFourOfTheNextIntervals() {
        DayProfile profile = DayProfile.empty(96, false);
        profile.observe(1, MIDNIGHT, UTC, HALF_LIFE_DAYS);
        long start = MIDNIGHT + 23 * 60 * MINUTE;
        profile.observe(1, start, UTC, HALF_LIFE_DAYS);
        assertThat(profile.meanInterval()).isCloseTo(23 * 3_600, within(1e-9));

        profile.observe(1, start + 5 * MINUTE, UTC, HALF_LIFE_DAYS);

        // The 23 hours count as 4 intervals of 5 minutes, then the plain mean of the first intervals takes the second.
        assertThat(profile.meanInterval()).isCloseTo((1_200 + 300) / 2.0, within(1e-9));
    }

    @Test
    void aBurstAtTheFirstEventsCountsAsAQuarterOfTheNextInterval() {
        DayProfile profile = DayProfile.empty(96, false);
        profile.observe(1, MIDNIGHT, UTC, HALF_LIFE_DAYS);
        profile.observe(1, MIDNIGHT + 1, UTC, HALF_LIFE_DAYS);
        assertThat(profile.meanInterval()).isCloseTo(0.001, within(1e-12));

        profile.observe(1, MIDNIGHT + 1 + MINUTE, UTC, HALF_LIFE_DAYS);

        // The millisecond counts as a quarter of the minute, then the plain mean of the first intervals takes it.
        assertThat(profile.meanInterval()).isCloseTo((15 + 60) / 2.0, within(1e-9));
    }

    @Test
    void aLateEventLeavesTheMeanIntervalAsItWas() {
        DayProfile profile = DayProfile.empty(96, false);
        for (int i = 0; i < 100; i++) {
            profile.observe(1, MIDNIGHT + i * MINUTE, UTC, HALF_LIFE_DAYS);
        }

        profile.observe(1, MIDNIGHT + 98 * MINUTE + MINUTE / 2, UTC, HALF_LIFE_DAYS);
        profile.observe(1, MIDNIGHT + 100 * MINUTE, UTC, HALF_LIFE_DAYS);

        assertThat(profile.meanInterval()).isCloseTo(60, within(1e-9));
    }

    @Test
    void aSecondEventEarlierThanTheFirstLeavesTheMeanIntervalToTheNextOnes() {
        DayProfile profile = DayProfile.empty(96, false);
        profile.observe(1, MIDNIGHT + 1_000, UTC, HALF_LIFE_DAYS);
        profile.observe(1, MIDNIGHT + 500, UTC, HALF_LIFE_DAYS);
        for (int i = 1; i <= 10; i++) {
            profile.observe(1, MIDNIGHT + 1_000 + i * 5 * MINUTE, UTC, HALF_LIFE_DAYS);
        }

        assertThat(profile.meanInterval()).isCloseTo(300, within(1e-9));
    }

    @Test
    void valuesBeyondTheRangeOfFloatsLeaveTheBinsAndTheWeeklyPartFinite() {
        DayProfile profile = DayProfile.empty(96, true);
        profile.observe(1, MIDNIGHT, UTC, HALF_LIFE_DAYS);
        profile.observe(1e39, MIDNIGHT + MINUTE, UTC, HALF_LIFE_DAYS);
        profile.observe(-1e39, MIDNIGHT + 2 * MINUTE, UTC, HALF_LIFE_DAYS);
        for (int i = 3; i < 100; i++) {
            profile.observe(1, MIDNIGHT + i * MINUTE, UTC, HALF_LIFE_DAYS);
        }

        assertThat(profile.lookup(MIDNIGHT + 99 * MINUTE, UTC, 0)).isEqualTo(1);
        assertThat(profile.plainError()).isFinite();
        assertThat(profile.weeklyError()).isFinite();
    }

    @Test
    void aKeyAllOfWhoseIntervalsAreGapsTakesThemForItsCadence() {
        DayProfile profile = DayProfile.empty(96, false);
        for (int i = 0; i < 5; i++) {
            if (i > 0) {
                profile.resumeAfterGap();
            }
            profile.observe(1, MIDNIGHT + i * 2 * 86_400_000L, UTC, HALF_LIFE_DAYS);
        }

        assertThat(profile.meanInterval()).isCloseTo(2 * 86_400, within(1e-9));
    }

    @Test
    void aGapThatRestartedTheKeyIsNoSamplingInterval() {
        DayProfile profile = DayProfile.empty(96, false);
        profile.observe(1, MIDNIGHT, UTC, HALF_LIFE_DAYS);
        profile.resumeAfterGap();
        long resumed = MIDNIGHT + 7 * 86_400_000L;
        for (int i = 0; i < 10; i++) {
            profile.observe(1, resumed + i * 5 * MINUTE, UTC, HALF_LIFE_DAYS);
        }

        assertThat(profile.meanInterval()).isCloseTo(300, within(1e-9));
    }

    @Test
    void anUnvisitedBinReadsTheNearestEarlierOneWithinAnHour() {
        DayProfile profile = DayProfile.empty(96, false);
        profile.observe(7, MIDNIGHT + 5 * MINUTE, UTC, HALF_LIFE_DAYS);

        assertThat(profile.lookup(MIDNIGHT + 5 * MINUTE, UTC, 0)).isEqualTo(7);
        assertThat(profile.lookup(MIDNIGHT + 64 * MINUTE, UTC, 0)).isEqualTo(7);
        assertThat(profile.lookup(MIDNIGHT + 76 * MINUTE, UTC, 0)).isNaN();
        assertThat(profile.lookup(MIDNIGHT - 5 * MINUTE, UTC, 0)).isNaN();
    }

    @Test
    void aLookupAheadMovesByTheMeanInterval() {
        DayProfile profile = DayProfile.empty(96, false);
        for (int i = 0; i < 2 * 96; i++) {
            profile.observe(i % 96, MIDNIGHT + i * 15 * MINUTE, UTC, HALF_LIFE_DAYS);
        }

        // Every bin holds its own index; the mean interval is 15 minutes: 8 steps after 00:30 is 02:30.
        assertThat(profile.meanInterval()).isCloseTo(900, within(1e-9));
        assertThat(profile.lookup(MIDNIGHT + 30 * MINUTE, UTC, 0)).isEqualTo(2);
        assertThat(profile.lookup(MIDNIGHT + 30 * MINUTE, UTC, 1)).isEqualTo(3);
        assertThat(profile.lookup(MIDNIGHT + 30 * MINUTE, UTC, 8)).isEqualTo(10);
    }

    @Test
    void theWeeklyPartLearnsHowWeekendsDepartFromWeekdays() {
        DayProfile weekly = DayProfile.empty(96, true);
        DayProfile plain = DayProfile.empty(96, false);
        // Five weeks from a Monday and then to Saturday 11:00, hourly: 10 on weekdays, 2 on weekends (UTC).
        long saturday = MIDNIGHT + 5 * 7 * DAY + 5 * DAY;
        for (long time = MIDNIGHT; time <= saturday + 11 * 3_600_000L; time += 3_600_000L) {
            double value = (time - MIDNIGHT) / DAY % 7 >= 5 ? 2 : 10;
            weekly.observe(value, time, UTC, HALF_LIFE_DAYS);
            plain.observe(value, time, UTC, HALF_LIFE_DAYS);
        }

        // What the forecasts of this hour read: noon today, and noon on Monday, whose departure is a mean over
        // weekdays measured against a profile the weekend has pulled down (hence within a tenth of the swing).
        assertThat(weekly.weeklyInUse()).isTrue();
        assertThat(weekly.lookup(saturday + 12 * 3_600_000L, UTC, 0)).isCloseTo(2, within(0.5));
        assertThat(weekly.lookup(saturday + 2 * DAY + 12 * 3_600_000L, UTC, 0)).isCloseTo(10, within(1.0));
        assertThat(plain.lookup(saturday + 12 * 3_600_000L, UTC, 0)).isGreaterThan(8);
    }

    @Test
    void aKeyWhoseWeekendsLookLikeItsWeekdaysKeepsThePlainProfile() {
        DayProfile profile = DayProfile.empty(96, true);
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 6 * 7 * 288; i++) {
            double hour = i % 288 / 12.0;
            profile.observe(10 + 3 * Math.sin(2 * Math.PI * hour / 24) + random.nextDouble(),
                    MIDNIGHT + i * 5 * MINUTE, UTC, HALF_LIFE_DAYS);
        }

        assertThat(profile.weekly()).doesNotContain(Float.NaN);
        assertThat(profile.weeklyInUse()).isFalse();
    }

    @Test
    void aBinIsALocalTimeOfDayOfTheModelsTimeZoneDaylightSavingIncluded() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        DayProfile profile = DayProfile.empty(96, false);
        // Local noon in winter (11:00 UTC) and in summer (10:00 UTC).
        long winterNoon = Instant.parse("2024-01-15T11:00:00Z").toEpochMilli();
        long summerNoon = Instant.parse("2024-07-15T10:00:00Z").toEpochMilli();

        profile.observe(5, winterNoon, paris, HALF_LIFE_DAYS);
        profile.observe(9, summerNoon, paris, HALF_LIFE_DAYS);

        assertThat(profile.bin(48)).isNotNaN().isNotEqualTo(5f);
        assertThat(profile.lookup(summerNoon + DAY, paris, 0)).isEqualTo(profile.bin(48));
        assertThat(profile.bin(44)).isNaN();
        assertThat(profile.bin(40)).isNaN();
    }
}
