package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ErrorStatsTest {
    private final ErrorStats.Rule rule = new ErrorStats.Rule(200, 1e-3);
    private final double[] scale = {1.0};

    private static ErrorStats stats(long count, double mean, double variance, double meanAbsDeviation) {
        return ErrorStats.of(count, new double[] {mean}, new double[] {variance}, new double[] {meanAbsDeviation});
    }

    @Test
    void hasNoDeviationBeforeEnoughErrors() {
        assertThat(stats(ErrorStats.MIN_ERRORS - 1, 0, 0, 1).deviation(new double[] {100.0}, scale, rule)).isNaN();
    }

    @Test
    void deviationIsTheErrorInGaussianStandardDeviationsFromTheMeanError() {
        // A mean absolute deviation of 2 is a standard deviation of 2 * sqrt(pi/2) for Gaussian errors.
        double deviation = stats(100, 1, 0, 2).deviation(new double[] {-5.0}, scale, rule);

        assertThat(deviation).isCloseTo(3.0 / Math.sqrt(Math.PI / 2.0), within(1e-12));
    }

    @Test
    void twoTargetsCombineAsTheLengthOfTheirStandardisedErrors() {
        double mad = Math.sqrt(2.0 / Math.PI);
        ErrorStats stats = ErrorStats.of(100, new double[2], new double[2], new double[] {mad, mad});

        assertThat(stats.deviation(new double[] {3.0, 4.0}, new double[] {1, 1}, rule)).isCloseTo(5.0,
                within(1e-12));
    }

    @Test
    void deviationFloorKeepsAPerfectSeriesQuiet() {
        double deviation = stats(100, 0, 0, 0).deviation(new double[] {1e-7}, scale, rule);

        assertThat(deviation).isCloseTo(1e-4, within(1e-12));
    }

    @Test
    void aLateTargetsStatisticsAreThoseOfItsOwnErrorsOnly() {
        ErrorStats stats = ErrorStats.empty(2);
        for (int i = 0; i < 3; i++) {
            stats.add(new double[] {1.0, 0.0}, rule, 1, 0); // the second target has no error yet
        }
        stats.add(new double[] {1.0, 4.0}, rule, 1, 0);
        stats.add(new double[] {1.0, -4.0}, rule, 1, 1);

        // Its own two errors alone: mean 0; deviation 4, the first one's distance to zero, then halfway to the
        // second's, 8.
        assertThat(stats.mean(1)).isZero();
        assertThat(stats.meanAbsDeviation(1)).isEqualTo(6.0);
        // The first target's five: the first one's distance to zero, 1, then four at its mean, each weighing 1 / n.
        assertThat(stats.meanAbsDeviation(0)).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void statisticsConvergeToTheErrorDistribution() {
        Random random = new Random(7);
        ErrorStats stats = ErrorStats.empty(1);
        for (int i = 0; i < 20_000; i++) {
            stats.add(new double[] {3.0 + 2.0 * random.nextGaussian()}, rule);
        }

        // A half-life of 200 events leaves estimates within a few tenths of the true values.
        assertThat(stats.mean(0)).isCloseTo(3.0, within(0.5));
        assertThat(Math.sqrt(stats.variance(0))).isCloseTo(2.0, within(0.4));
        assertThat(stats.meanAbsDeviation(0)).isCloseTo(2.0 * Math.sqrt(2.0 / Math.PI), within(0.4));
    }

    @Test
    void aSpikeWidensTheScaleLessThanItWouldWidenAStandardDeviation() {
        ErrorStats stats = stats(10_000, 0, 1, Math.sqrt(2.0 / Math.PI));
        stats.add(new double[] {30.0}, rule);

        double madScale = Math.sqrt(Math.PI / 2.0) * stats.meanAbsDeviation(0);
        assertThat(madScale).isLessThan(Math.sqrt(stats.variance(0)));
    }

    @Test
    void firstErrorsAreAveragedPlainly() {
        ErrorStats stats = ErrorStats.empty(1);
        stats.add(new double[] {2.0}, rule);
        stats.add(new double[] {4.0}, rule);

        assertThat(stats.count()).isEqualTo(2);
        assertThat(stats.mean(0)).isEqualTo(3.0);
        assertThat(stats.variance(0)).isEqualTo(1.0);
        // The first error lies 2 from the starting mean 0, the second 2 from the first mean 2.0.
        assertThat(stats.meanAbsDeviation(0)).isEqualTo(2.0);
    }

    @Test
    void hasADeviationFromExactlyTheMinimumNumberOfErrors() {
        assertThat(stats(ErrorStats.MIN_ERRORS, 0, 1, 0.8).deviation(new double[] {2.0}, scale, rule)).isFinite();
    }

    @Test
    void aRuleAcceptsAHalfLifeOfOneEventAndRefusesANonPositiveFloor() {
        new ErrorStats.Rule(1.0, 1e-9);
        assertThatThrownBy(() -> new ErrorStats.Rule(0.99, 1e-3)).hasMessageContaining("halfLifeEvents");
        assertThatThrownBy(() -> new ErrorStats.Rule(200, 0.0)).hasMessageContaining("minStdRatio");
    }

    @Test
    void statesThatDifferInAnyPartAreUnequalWithDifferentHashCodes() {
        ErrorStats base = stats(10, 0.5, 2.0, 1.0);
        assertThat(base).isEqualTo(stats(10, 0.5, 2.0, 1.0)).hasSameHashCodeAs(stats(10, 0.5, 2.0, 1.0));
        for (ErrorStats other : new ErrorStats[] {stats(11, 0.5, 2.0, 1.0), stats(10, 0.6, 2.0, 1.0),
                stats(10, 0.5, 2.5, 1.0), stats(10, 0.5, 2.0, 1.5)}) {
            assertThat(other).isNotEqualTo(base);
            assertThat(other.hashCode()).as(other.toString()).isNotEqualTo(base.hashCode());
        }
    }

    @Test
    void toStringShowsTheCountAndTheStatistics() {
        assertThat(stats(10, 0.5, 2.0, 1.0).toString()).contains("10", "0.5", "2.0", "1.0");
    }
}
