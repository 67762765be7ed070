package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualScorerTest {
    private final ResidualScorer scorer = new ResidualScorer(200, 1e-3);
    private final double[] scale = {1.0};

    @Test
    void scoresZeroBeforeEnoughErrors() {
        assertThat(scorer.score(new double[] {100.0}, ResidualScorer.MIN_ERRORS - 1, new double[] {0},
                new double[] {1}, scale)).isZero();
    }

    @Test
    void oneSigmaErrorScoresTheTwoSidedNormalProbability() {
        // P(|Z| < 1) = erf(1 / sqrt 2) = 0.682689...
        double score = scorer.score(new double[] {1.0}, 100, new double[] {0}, new double[] {1}, scale);

        assertThat(score).isCloseTo(0.6826894921, within(1e-9));
    }

    @Test
    void fourSigmaErrorCrossesTheDefaultThreshold() {
        double score = scorer.score(new double[] {4.0}, 100, new double[] {0}, new double[] {1}, scale);

        assertThat(score).isGreaterThan(0.999);
    }

    @Test
    void twoTargetsCombineAsChiSquaredWithTwoDegrees() {
        // chi2(2) CDF at x is 1 - exp(-x/2); errors (1, 1) give x = 2.
        double score = scorer.score(new double[] {1.0, 1.0}, 100, new double[] {0, 0}, new double[] {1, 1},
                new double[] {1, 1});

        assertThat(score).isCloseTo(1 - Math.exp(-1), within(1e-12));
    }

    @Test
    void varianceFloorKeepsAPerfectSeriesQuiet() {
        double score = scorer.score(new double[] {1e-7}, 100, new double[] {0}, new double[] {0}, scale);

        assertThat(score).isLessThan(0.5);
    }

    @Test
    void statisticsConvergeToTheErrorDistribution() {
        Random random = new Random(7);
        double[] mean = {0};
        double[] variance = {0};
        long count = 0;
        for (int i = 0; i < 20_000; i++) {
            count = scorer.update(new double[] {3.0 + 2.0 * random.nextGaussian()}, count, mean, variance);
        }

        assertThat(mean[0]).isCloseTo(3.0, within(0.5));
        assertThat(Math.sqrt(variance[0])).isCloseTo(2.0, within(0.4));
    }

    @Test
    void firstErrorsAreAveragedPlainly() {
        double[] mean = {0};
        double[] variance = {0};
        long count = scorer.update(new double[] {2.0}, 0, mean, variance);
        count = scorer.update(new double[] {4.0}, count, mean, variance);

        assertThat(count).isEqualTo(2);
        assertThat(mean[0]).isEqualTo(3.0);
        assertThat(variance[0]).isEqualTo(1.0);
    }
}
