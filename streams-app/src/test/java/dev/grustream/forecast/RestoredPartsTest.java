package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The parts of a learner read back from a stored state refuse shapes they could not work with. */
class RestoredPartsTest {

    @Test
    void anIntervalCalibrationWhoseArraysDifferInLengthIsRefused() {
        assertThatThrownBy(() -> IntervalCalibrator.restored(new double[12], new double[12], new double[11],
                new long[12])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 steps");
    }

    @Test
    void anIntervalCalibrationThatCountsErrorsWithoutAScaleIsRefused() {
        long[] counts = new long[12];
        counts[3] = 5;

        assertThatThrownBy(() -> IntervalCalibrator.restored(new double[12], new double[12], new double[12], counts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step 4 counts 5 inexact errors with an error scale of 0.0");
    }

    @Test
    void aProfileWithoutBinsIsRefused() {
        assertThatThrownBy(() -> DayProfile.restored(new float[0], 5, 0, 300_000, 1, 1, 1, new float[0], 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one bin");
    }

    @Test
    void aProfileWithANegativeEventCountIsRefused() {
        assertThatThrownBy(() -> DayProfile.restored(new float[96], -5, 0, 300_000, 1, 1, 1, new float[0], 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found -5");
    }

    @Test
    void aLearnerWithANegativeEventCountIsRefused() {
        int horizon = 12;
        int inputs = Learner.INPUTS;

        assertThatThrownBy(() -> Learner.restored(-5, new double[inputs * inputs], new double[horizon * inputs],
                new float[horizon * inputs], new double[horizon], new double[horizon], new double[horizon],
                new long[horizon], new double[horizon], new double[horizon], new double[horizon],
                DayProfile.empty(96, false), IntervalCalibrator.restored(new double[horizon], new double[horizon],
                        new double[horizon], new long[horizon])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found -5");
    }
}
