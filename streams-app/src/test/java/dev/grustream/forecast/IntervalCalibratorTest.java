package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntervalCalibratorTest {
    private static final Learner.Rule RULE = new Learner.Rule(300, 96, 0.9, 0.99, 50, false, false);
    /** The Gaussian 0.95 and 0.995 quantiles times sqrt(pi/2): a mean absolute error's multipliers. */
    private static final double START = 1.6448536269514722 * Math.sqrt(Math.PI / 2);
    private static final double START_HIGH = 2.5758293035489004 * Math.sqrt(Math.PI / 2);

    @Test
    void theFirstErrorSetsTheScaleAndTheGaussianMultipliersTheWidths() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(2, RULE);
        assertThat(intervals.halfWidth(1)).isNaN();

        intervals.add(1, 0.5, RULE);

        assertThat(intervals.errorScale(0)).isEqualTo(0.5);
        assertThat(intervals.halfWidth(1)).isCloseTo(START * 0.5, within(1e-9));
        assertThat(intervals.halfWidthHigh(1)).isCloseTo(START_HIGH * 0.5, within(1e-9));
        assertThat(intervals.halfWidth(2)).isNaN();
        assertThat(intervals.halfWidthHigh(2)).isNaN();
        assertThat(intervals.horizon()).isEqualTo(2);
    }

    @Test
    void errorsOfZeroAgainstAScaleOfZeroLeaveTheMultipliersAsTheyWere() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        intervals.add(1, 0.0, RULE);
        double start = intervals.logMultiplier(0);
        double startHigh = intervals.logMultiplierHigh(0);

        for (int i = 1; i <= 10_000; i++) {
            intervals.add(1, 0.0, RULE);
        }

        assertThat(intervals.logMultiplier(0)).isEqualTo(start);
        assertThat(intervals.logMultiplierHigh(0)).isEqualTo(startHigh);
    }

    @Test
    void aFlatStretchAfterTheKeyMovedLeavesItsIntervalsAsTheyWere() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        SplittableRandom random = new SplittableRandom(3);
        long count = 0;
        for (; count < 500; count++) {
            intervals.add(1, Math.abs(random.nextGaussian()), RULE);
        }
        double before = intervals.halfWidth(1);
        double beforeHigh = intervals.halfWidthHigh(1);
        for (; count < 10_500; count++) {
            intervals.add(1, 0.0, RULE);
        }

        assertThat(intervals.halfWidth(1)).isEqualTo(before);
        assertThat(intervals.halfWidthHigh(1)).isEqualTo(beforeHigh);
    }

    @Test
    void aStepWhoseForecastsWereAllExactHasNoInterval() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        for (long count = 0; count < 1_000; count++) {
            intervals.add(1, 0.0, RULE);
        }

        assertThat(intervals.halfWidth(1)).isNaN();
        assertThat(intervals.halfWidthHigh(1)).isNaN();
    }

    @Test
    void theFirstInexactForecastOfAKeyThatStartedFlatSetsTheScale() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        for (long count = 0; count < 1_000; count++) {
            intervals.add(1, 0.0, RULE);
        }

        intervals.add(1, 1.0, RULE);

        assertThat(intervals.errorScale(0)).isEqualTo(1.0);
        assertThat(intervals.halfWidth(1)).isCloseTo(START, within(1e-12));
    }

    @Test
    void theFirstErrorsOfAKeyThatStartedFlatAreAveraged() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        for (long count = 0; count < 1_000; count++) {
            intervals.add(1, 0.0, RULE);
        }

        intervals.add(1, 8.0, RULE);
        for (int i = 0; i < 9; i++) {
            intervals.add(1, 1.0, RULE);
        }

        assertThat(intervals.errorScale(0)).isCloseTo(1.7, within(1e-12));
        assertThat(intervals.inexactErrors(0)).isEqualTo(10);
    }

    @Test
    void aMissWidensByMoreThanAHitNarrows() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        intervals.add(1, 1.0, RULE);
        double start = intervals.logMultiplier(0);

        intervals.add(1, 0.1, RULE);
        assertThat(intervals.logMultiplier(0)).isCloseTo(start - 0.02 * 0.1, within(1e-12));
        double afterHit = intervals.logMultiplier(0);
        double afterHitHigh = intervals.logMultiplierHigh(0);

        intervals.add(1, 100, RULE);
        assertThat(intervals.logMultiplier(0)).isCloseTo(afterHit + 0.02 * 0.9, within(1e-12));
        assertThat(intervals.logMultiplierHigh(0)).isCloseTo(afterHitHigh + 0.02 * 0.99, within(1e-12));
    }

    @Test
    void theScaleIsARunningMeanAbsoluteErrorWithAHalfLifeOf200() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        for (int i = 0; i < 1_000; i++) {
            intervals.add(1, 1.0, RULE);
        }
        intervals.add(1, 3.0, RULE);

        assertThat(intervals.errorScale(0)).isCloseTo(1 + (1 - Math.pow(2, -1 / 200.0)) * 2, within(1e-12));
    }

    @Test
    void theShareOfMissesConvergesToOneMinusTheCoverageWhateverTheErrorsShape() {
        IntervalCalibrator intervals = IntervalCalibrator.fresh(1, RULE);
        SplittableRandom random = new SplittableRandom(3);
        long misses = 0;
        long missesHigh = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            // Heavy-tailed errors: the Gaussian starting multipliers are wrong for them.
            double error = Math.abs(Math.tan(Math.PI * (random.nextDouble() - 0.5)));
            if (i >= n / 2) {
                misses += error > intervals.halfWidth(1) ? 1 : 0;
                missesHigh += error > intervals.halfWidthHigh(1) ? 1 : 0;
            }
            intervals.add(1, error, RULE);
        }

        assertThat(misses / (n / 2.0)).isCloseTo(0.10, within(0.01));
        assertThat(missesHigh / (n / 2.0)).isCloseTo(0.01, within(0.003));
    }
}
