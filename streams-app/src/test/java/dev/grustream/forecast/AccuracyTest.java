package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AccuracyTest {
    @Test
    void computesTheErrorMeasuresOfKnownRows() {
        Accuracy accuracy = new Accuracy();
        accuracy.add(10, 8, Double.NaN);
        accuracy.add(12, 11, 10);
        accuracy.add(9, 12, 12);

        assertThat(accuracy.count()).isEqualTo(3);
        assertThat(accuracy.mae()).isCloseTo(2.0, within(1e-12));
        assertThat(accuracy.rmse()).isCloseTo(Math.sqrt((4 + 1 + 9) / 3.0), within(1e-12));
        assertThat(accuracy.mape()).isCloseTo(100 * (0.2 + 1 / 12.0 + 3 / 9.0) / 3, within(1e-9));
        // Rows with a previous value: errors 1 and 3 against persistence errors 2 and 3.
        assertThat(accuracy.mase()).isCloseTo(4.0 / 5.0, within(1e-12));
    }

    @Test
    void maseIsUndefinedWhenNeitherForecastErred() {
        Accuracy accuracy = new Accuracy();
        accuracy.add(5, 5, 5);

        assertThat(accuracy.mase()).isNaN();
    }

    @Test
    void maseIsInfiniteWhenOnlyPersistenceIsPerfect() {
        Accuracy accuracy = new Accuracy();
        accuracy.add(5, 4, 5);

        assertThat(accuracy.mase()).isInfinite().isPositive();
    }

    @Test
    void mapeSkipsZeroActuals() {
        Accuracy accuracy = new Accuracy();
        accuracy.add(0, 1, Double.NaN);

        assertThat(accuracy.mape()).isNaN();
        assertThat(accuracy.mae()).isEqualTo(1.0);
    }

    @Test
    void mergingGivesWhatAddingEveryRowToOneWouldGive() {
        Accuracy a = new Accuracy();
        Accuracy b = new Accuracy();
        Accuracy all = new Accuracy();
        for (Accuracy target : new Accuracy[] {a, all}) {
            fill(target, 10, 8, 9, 7, 9.5, 12);
        }
        for (Accuracy target : new Accuracy[] {b, all}) {
            fill(target, 4, 5, 3, Double.NaN, 1, 2);
            fill(target, 0, 1, 2, 3, Double.NaN, 1);
        }

        a.addAll(b);

        assertThat(a).isEqualTo(all).hasSameHashCodeAs(all);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.mae()).isEqualTo(all.mae());
        assertThat(a.rmse()).isEqualTo(all.rmse());
        assertThat(a.mape()).isEqualTo(all.mape());
        assertThat(a.mase()).isEqualTo(all.mase());
        assertThat(a.seasonalMase()).isEqualTo(all.seasonalMase());
        assertThat(a.coverage()).isEqualTo(all.coverage());
        assertThat(a.intervals()).isEqualTo(2);
    }

    private static void fill(Accuracy accuracy, double actual, double forecast, double persistence, double seasonal,
            double lower, double upper) {
        accuracy.add(actual, forecast, persistence);
        accuracy.addSeasonal(actual, forecast, seasonal);
        accuracy.addInterval(actual, lower, upper);
    }

    @Test
    void seasonalMaseComparesWithTheSeasonalForecastsOnly() {
        Accuracy accuracy = new Accuracy();
        accuracy.addSeasonal(10, 8, 14);
        accuracy.addSeasonal(10, 11, Double.NaN);
        accuracy.addSeasonal(10, 9, 9);

        assertThat(accuracy.seasonalMase()).isCloseTo(3.0 / 5.0, within(1e-12));
        assertThat(new Accuracy().seasonalMase()).isNaN();
    }

    @Test
    void coverageCountsActualsInsideTheirIntervalBoundsIncluded() {
        Accuracy accuracy = new Accuracy();
        accuracy.addInterval(5, 5, 6);
        accuracy.addInterval(6, 5, 6);
        accuracy.addInterval(7, 5, 6);
        accuracy.addInterval(4.9, 5, 6);
        accuracy.addInterval(5, Double.NaN, 6);
        accuracy.addInterval(5, 4, Double.NaN);

        assertThat(accuracy.intervals()).isEqualTo(4);
        assertThat(accuracy.coverage()).isEqualTo(0.5);
        assertThat(new Accuracy().coverage()).isNaN();
    }

    @Test
    void differentRowsMakeDifferentAccuracies() {
        Accuracy a = new Accuracy();
        a.add(1, 2, 3);
        Accuracy b = new Accuracy();
        b.add(1, 2, 4);

        assertThat(a).isNotEqualTo(b).isNotEqualTo(null);
        assertThat(a.toString()).contains("count=1").contains("mase=0.5");
    }
}
