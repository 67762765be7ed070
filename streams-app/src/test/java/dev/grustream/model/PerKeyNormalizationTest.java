package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/**
 * Per-key normalisation against values computed by hand from the formulas of {@link Normalization}. With a
 * half-life of 1 the weight is 1 for the first event and 1/2 afterwards, which keeps the arithmetic exact.
 */
class PerKeyNormalizationTest {

    /** Half-life 1 (weight 1/2), clip 3, min_std_ratio 0.1; global z statistics mean 0.5, std 2. */
    private final Normalization normalization = Normalization.perKey(new double[] {0.5}, new double[] {2},
            new PerKeyScaling(1, 3, 0.1));
    private final KeyStats stats = normalization.newKeyStats();
    private final float[] out = new float[1];

    @Test
    void theFirstEventOfAKeyIsStandardisedToZero() {
        normalization.normaliseRow(new double[] {10}, stats, out, 0);

        assertThat(out[0]).isEqualTo(-0.25f); // z = 0, u = (0 - 0.5) / 2
    }

    @Test
    void theFirstUpdateTakesTheValueAsMeanWithZeroVariance() {
        normalization.update(new double[] {10}, stats);

        assertThat(stats.count()).isEqualTo(1);
        assertThat(stats.mean(0)).isEqualTo(10.0);
        assertThat(stats.variance(0)).isEqualTo(0.0);
    }

    @Test
    void theScaleIsFlooredByTheRatioOfTheMean() {
        normalization.update(new double[] {10}, stats);

        // v = 0, so s = r * |m| = 1; z = 1.5 * 2 + 0.5 = 3.5; raw = 10 + 3.5 * 1
        assertThat(normalization.denormalise(0, 1.5f, stats)).isEqualTo(13.5);
    }

    @Test
    void clampsTheStandardisedValue() {
        normalization.update(new double[] {10}, stats);

        normalization.normaliseRow(new double[] {14}, stats, out, 0);

        assertThat(out[0]).isEqualTo(1.25f); // z = (14 - 10) / 1 = 4, clamped to 3; u = (3 - 0.5) / 2
    }

    @Test
    void updatesTheMeanAndVarianceWithTheHalfLifeWeight() {
        normalization.update(new double[] {10}, stats);
        normalization.update(new double[] {14}, stats);

        // w = max(1/2, 1 - 2^-1) = 1/2, d = 4: m = 12, v = (1 - 1/2) * (0 + 1/2 * 16) = 4
        assertThat(stats.count()).isEqualTo(2);
        assertThat(stats.mean(0)).isEqualTo(12.0);
        assertThat(stats.variance(0)).isEqualTo(4.0);
    }

    @Test
    void denormalisesWithTheStandardDeviationOnceItExceedsTheFloor() {
        normalization.update(new double[] {10}, stats);
        normalization.update(new double[] {14}, stats);

        // s = sqrt(max(4, 1.2^2)) = 2; y = 1.75: z = 4; raw = 12 + 4 * 2
        assertThat(normalization.denormalise(0, 1.75f, stats)).isEqualTo(20.0);
        assertThat(normalization.scale(0, stats)).isEqualTo(4.0); // std * s
    }

    @Test
    void normalisesWithTheStatisticsBeforeTheEvent() {
        normalization.update(new double[] {10}, stats);
        normalization.update(new double[] {14}, stats);

        normalization.normaliseRow(new double[] {13}, stats, out, 0);

        assertThat(out[0]).isEqualTo(0f); // z = (13 - 12) / 2 = 0.5; u = 0
    }

    @Test
    void weighsTheFirstEventsAsARunningMeanUntilTheHalfLifeTakesOver() {
        Normalization halflife2 = Normalization.perKey(new double[] {0}, new double[] {1}, new PerKeyScaling(2, 3,
                0));
        KeyStats key = halflife2.newKeyStats();
        double alpha = 1 - Math.pow(2, -0.5); // 0.2929: below 1/3, above 1/4
        double[] xs = {1, 2, 3, 4};
        for (double x : xs) {
            halflife2.update(new double[] {x}, key);
        }

        // weights 1, 1/2, 1/3 (a running mean: m = 2 after three events), then alpha
        double expected = 2 + alpha * (4 - 2);
        assertThat(key.mean(0)).isCloseTo(expected, offset(1e-15));
    }

    @Test
    void aKeyWhoseValuesNeverMovedIsClampedInsteadOfDividedByZero() {
        Normalization noRatio = Normalization.perKey(new double[] {0}, new double[] {1}, new PerKeyScaling(10, 5,
                0));
        KeyStats key = noRatio.newKeyStats();
        noRatio.update(new double[] {5}, key);
        noRatio.update(new double[] {5}, key);

        assertThat(noRatio.normalise(0, 5.0, key)).isEqualTo(0f);
        assertThat(noRatio.normalise(0, 5.1, key)).isEqualTo(5f);
        assertThat(noRatio.scale(0, key)).isCloseTo(1e-9, offset(1e-24));
    }

    @Test
    void standardisesEachFeatureWithItsOwnStatistics() {
        Normalization two = Normalization.perKey(new double[] {0, 1}, new double[] {1, 0.5},
                new PerKeyScaling(1, 10, 0));
        KeyStats key = two.newKeyStats();
        two.update(new double[] {1, 100}, key);
        two.update(new double[] {3, 60}, key);
        float[] row = new float[4];

        two.normaliseRow(new double[] {4, 50}, key, row, 2);

        // feature 0: m = 2, v = 1, z = 2; feature 1: m = 80, v = 400, s = 20, z = -1.5, u = (-1.5 - 1) / 0.5
        assertThat(row).containsExactly(0f, 0f, 2f, -5f);
    }

    @Test
    void propagatesNaN() {
        normalization.update(new double[] {10}, stats);

        assertThat(normalization.normalise(0, Double.NaN, stats)).isNaN();
    }

    @Test
    void refusesToUpdateWithANonFiniteValueAndLeavesTheStatisticsUnchanged() {
        normalization.update(new double[] {10}, stats);

        assertThatThrownBy(() -> normalization.update(new double[] {Double.POSITIVE_INFINITY}, stats))
                .hasMessage("raw[0]: expected a finite number, found Infinity");
        assertThat(stats).isEqualTo(KeyStats.of(1, new double[] {10}, new double[] {0}));
    }

    @Test
    void fixedOnlyMethodsRefuseAPerKeyModel() {
        assertThatThrownBy(() -> normalization.normalise(0, 1.0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this model normalises per key: pass the key's KeyStats");
    }

    @Test
    void aFixedNormalisationIgnoresTheStatistics() {
        Normalization fixed = Normalization.fixed(new double[] {100}, new double[] {15});

        fixed.update(new double[] {130}, null);
        fixed.normaliseRow(new double[] {130}, null, out, 0);

        assertThat(out[0]).isEqualTo(2f);
        assertThat(fixed.denormalise(0, 2f, null)).isEqualTo(130.0);
        assertThat(fixed.scale(0, null)).isEqualTo(15.0);
    }

    @Test
    void aPerKeyNormalisationDiffersFromTheFixedOneWithTheSameStatistics() {
        Normalization fixed = Normalization.fixed(new double[] {0.5}, new double[] {2});

        assertThat(normalization).isNotEqualTo(fixed);
        assertThat(normalization.perKey()).contains(new PerKeyScaling(1, 3, 0.1));
        assertThat(fixed.perKey()).isEmpty();
    }

    @Test
    void rejectsAHalfLifeBelowOne() {
        assertThatThrownBy(() -> new PerKeyScaling(0.5, 3, 0))
                .hasMessage("normalization.per_key.halflife: expected a finite number >= 1, found 0.5");
    }

    @Test
    void rejectsANonPositiveClip() {
        assertThatThrownBy(() -> new PerKeyScaling(10, 0, 0))
                .hasMessage("normalization.per_key.clip: expected a finite number > 0, found 0.0");
    }

    @Test
    void rejectsANegativeStdRatio() {
        assertThatThrownBy(() -> new PerKeyScaling(10, 3, -0.1))
                .hasMessage("normalization.per_key.min_std_ratio: expected a finite number >= 0, found -0.1");
    }

    @Test
    void rejectsANaNStdRatio() {
        assertThatThrownBy(() -> new PerKeyScaling(10, 3, Double.NaN))
                .hasMessage("normalization.per_key.min_std_ratio: expected a finite number >= 0, found NaN");
    }

    @Test
    void restoresStoredStatisticsByCopy() {
        double[] mean = {12};
        KeyStats restored = KeyStats.of(2, mean, new double[] {4});
        mean[0] = 0;

        assertThat(restored.mean(0)).isEqualTo(12.0);
        assertThat(normalization.denormalise(0, 1.75f, restored)).isEqualTo(20.0);
    }

    @Test
    void rejectsStoredStatisticsWithANegativeVariance() {
        assertThatThrownBy(() -> KeyStats.of(2, new double[] {1}, new double[] {-1}))
                .hasMessage("variance[0]: expected a finite number >= 0, found -1.0");
    }

    @Test
    void rejectsStoredStatisticsOfAnotherWidth() {
        KeyStats key = KeyStats.empty(2);

        assertThatThrownBy(() -> key.set(1, new double[] {1}, new double[] {1}))
                .hasMessage("mean and variance: expected 2 values each (one per feature), found 1 and 1");
    }
}
