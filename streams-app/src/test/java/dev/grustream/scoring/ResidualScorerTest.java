package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualScorerTest {
    private final ResidualScorer scorer = new ResidualScorer(200, 1e-3);
    private final double[] scale = {1.0};

    @Test
    void hasNoDeviationBeforeEnoughErrors() {
        assertThat(scorer.deviation(new double[] {100.0}, ResidualScorer.MIN_ERRORS - 1, new double[] {0},
                new double[] {1}, scale)).isNaN();
    }

    @Test
    void deviationIsTheErrorInGaussianStandardDeviationsFromTheMeanError() {
        // A mean absolute deviation of 2 is a standard deviation of 2 * sqrt(pi/2) for Gaussian errors.
        double deviation = scorer.deviation(new double[] {-5.0}, 100, new double[] {1}, new double[] {2}, scale);

        assertThat(deviation).isCloseTo(3.0 / Math.sqrt(Math.PI / 2.0), within(1e-12));
    }

    @Test
    void twoTargetsCombineAsTheLengthOfTheirStandardisedErrors() {
        double mad = Math.sqrt(2.0 / Math.PI);
        double deviation = scorer.deviation(new double[] {3.0, 4.0}, 100, new double[] {0, 0},
                new double[] {mad, mad}, new double[] {1, 1});

        assertThat(deviation).isCloseTo(5.0, within(1e-12));
    }

    @Test
    void deviationFloorKeepsAPerfectSeriesQuiet() {
        double deviation = scorer.deviation(new double[] {1e-7}, 100, new double[] {0}, new double[] {0}, scale);

        assertThat(deviation).isCloseTo(1e-4, within(1e-12));
    }

    @Test
    void statisticsConvergeToTheErrorDistribution() {
        Random random = new Random(7);
        double[] mean = {0};
        double[] variance = {0};
        double[] meanAbsDeviation = {0};
        long count = 0;
        for (int i = 0; i < 20_000; i++) {
            count = scorer.update(new double[] {3.0 + 2.0 * random.nextGaussian()}, count, mean, variance,
                    meanAbsDeviation);
        }

        // A half-life of 200 events leaves estimates within a few tenths of the true values.
        assertThat(mean[0]).isCloseTo(3.0, within(0.5));
        assertThat(Math.sqrt(variance[0])).isCloseTo(2.0, within(0.4));
        assertThat(meanAbsDeviation[0]).isCloseTo(2.0 * Math.sqrt(2.0 / Math.PI), within(0.4));
    }

    @Test
    void aSpikeWidensTheScaleLessThanItWouldWidenAStandardDeviation() {
        double[] mean = {0};
        double[] variance = {1};
        double[] meanAbsDeviation = {Math.sqrt(2.0 / Math.PI)};
        scorer.update(new double[] {30.0}, 10_000, mean, variance, meanAbsDeviation);

        double madScale = Math.sqrt(Math.PI / 2.0) * meanAbsDeviation[0];
        assertThat(madScale).isLessThan(Math.sqrt(variance[0]));
    }

    @Test
    void firstErrorsAreAveragedPlainly() {
        double[] mean = {0};
        double[] variance = {0};
        double[] meanAbsDeviation = {0};
        long count = scorer.update(new double[] {2.0}, 0, mean, variance, meanAbsDeviation);
        count = scorer.update(new double[] {4.0}, count, mean, variance, meanAbsDeviation);

        assertThat(count).isEqualTo(2);
        assertThat(mean[0]).isEqualTo(3.0);
        assertThat(variance[0]).isEqualTo(1.0);
        // The first error lies 2 from the starting mean 0, the second 2 from the first mean 2.0.
        assertThat(meanAbsDeviation[0]).isEqualTo(2.0);
    }
}
