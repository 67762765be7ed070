package dev.grustream.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.forecast.Accuracy;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepAccuracyTest {
    private static final long MINUTE = 60_000;
    private static final double[] NONE = {Double.NaN, Double.NaN, Double.NaN};

    /** Rows of values 0, 10, 20...: each row forecasts step k as its value plus 10 k plus an error of k. */
    private static void feed(StepAccuracy accuracy, int rows, int restartAt) {
        for (int i = 0; i < rows; i++) {
            double value = 10.0 * i;
            accuracy.add(i * MINUTE, value, i == restartAt, new double[] {value + 11, value + 22, value + 33},
                    new double[] {value + 9.5, value, value}, new double[] {value + 10.5, value + 1, value + 1});
        }
    }

    @Test
    void eachStepIsScoredAgainstTheRowThatManyRowsLater() {
        StepAccuracy accuracy = new StepAccuracy(3, 500);

        feed(accuracy, 5, -1);

        List<Accuracy> steps = accuracy.steps();
        assertThat(steps).extracting(Accuracy::count).containsExactly(4L, 3L, 2L);
        assertThat(steps).extracting(Accuracy::mae).containsExactly(1.0, 2.0, 3.0);
        // Persistence misses step k by 10 k.
        assertThat(steps.get(0).mase()).isCloseTo(0.1, within(1e-12));
        assertThat(steps.get(2).mase()).isCloseTo(0.1, within(1e-12));
        // The step-1 intervals hold value + 10, the others lie below it.
        assertThat(steps).extracting(Accuracy::coverage).containsExactly(1.0, 0.0, 0.0);
    }

    @Test
    void forecastsMadeBeforeARestartAreNotScored() {
        StepAccuracy accuracy = new StepAccuracy(3, 500);

        feed(accuracy, 5, 3);

        // Scored: rows 1 and 2 for step 1, row 2 for step 2; after the restart at row 3, row 4 for step 1.
        assertThat(accuracy.steps()).extracting(Accuracy::count).containsExactly(3L, 1L, 0L);
    }

    @Test
    void seasonalNaiveIsTheLastValueAtLeastADayBeforeTheScoredRow() {
        StepAccuracy accuracy = new StepAccuracy(1, 500);
        long day = StepAccuracy.DAY_MS;

        accuracy.add(0, 5.0, false, new double[] {7.0}, NONE, NONE);
        accuracy.add(MINUTE, 6.0, false, new double[] {9.0}, NONE, NONE);
        // A day and a half later: seasonal naive says 6.0 (the value of a day before, or the latest before that).
        accuracy.add(day + day / 2, 8.0, false, new double[] {8.0}, NONE, NONE);

        Accuracy step = accuracy.steps().get(0);
        // Scored rows: 6.0 (forecast 7.0, no value a day before) and 8.0 (forecast 9.0, seasonal naive 6.0).
        assertThat(step.count()).isEqualTo(2);
        assertThat(step.seasonalMase()).isCloseTo(1.0 / 2.0, within(1e-12));
    }

    @Test
    void theFirstEventsAreTheOneStepForecastsOfTheFirstRowsOnly() {
        StepAccuracy accuracy = new StepAccuracy(3, 2);

        feed(accuracy, 5, -1);

        assertThat(accuracy.firstEvents().count()).isEqualTo(2);
        assertThat(accuracy.steps().get(0).count()).isEqualTo(4);
    }
}
