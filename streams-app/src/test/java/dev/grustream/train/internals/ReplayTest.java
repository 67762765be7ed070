package dev.grustream.train.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.forecast.ForecastRules;
import dev.grustream.model.GruModel;
import dev.grustream.model.Normalization;
import dev.grustream.model.RandomModels;
import dev.grustream.train.TrainingSeries;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The replay that validates a model and records the states training windows start from. */
class ReplayTest {
    private static final int ROWS = 200;

    /** A minute-by-minute series of {@link #ROWS} rows with a pause of {@code days} days between rows 99 and 100. */
    private static TrainingSeries pausedAtRow100(String key, int days) {
        long[] times = new long[ROWS];
        double[] values = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            times[i] = 1_700_000_000_000L + i * 60_000L + (i >= 100 ? days * 86_400_000L : 0);
            values[i] = 10 + Math.sin(i / 7.0);
        }
        return TrainingSeries.of(key, times, 1, values);
    }

    @Test
    void theStateRecordedWhereTheKeyRestartsAfterAGapIsZero() {
        GruModel model = RandomModels.random(4, 1, 3);
        float[][] recorded = new float[2][model.spec().stateSize()];

        try (Replay replay = new Replay(model, ForecastRules.defaults().withoutLearning())) {
            // More than the default state.reset.gap.ms of a day.
            replay.run(pausedAtRow100("gap", 2), ROWS, new int[] {99, 100}, recorded, 0);
        }

        assertThat(recorded[0]).as("the state before row 99").isNotEqualTo(new float[4]);
        assertThat(recorded[1]).as("the state row 100 starts from").containsOnly(0f);
    }

    @Test
    void theStateRecordedWhereTheKeyExpiresWithoutAGapRestartIsZero() {
        GruModel model = RandomModels.random(4, 1, 3);
        ForecastRules defaults = ForecastRules.defaults().withoutLearning();
        ForecastRules noGapRestarts = new ForecastRules(defaults.lateGraceMs(), 0, defaults.stateTtlMs(),
                defaults.maxAbsNormalized(), defaults.errors(), defaults.likelihood(), defaults.range(),
                defaults.alerts(), defaults.learning(), defaults.learner(), defaults.intervalAlerts());
        float[][] recorded = new float[2][model.spec().stateSize()];

        try (Replay replay = new Replay(model, noGapRestarts)) {
            // Beyond the default state.ttl.ms of seven days, with gap restarts off.
            replay.run(pausedAtRow100("idle", 8), ROWS, new int[] {99, 100}, recorded, 0);
        }

        assertThat(recorded[0]).as("the state before row 99").isNotEqualTo(new float[4]);
        assertThat(recorded[1]).as("the state row 100 starts from").containsOnly(0f);
    }

    @Test
    void aKeyThatMovesAfterAFlatStretchIsScoredAgainstValuesClippedAsTrainingClipsThem() {
        GruModel model = RandomModels.randomPerKey(4, 1, 3);
        double[] flatThenMoving = new double[200];
        Arrays.fill(flatThenMoving, 150, 200, 5.0);
        Replay.Totals totals;

        try (Replay replay = new Replay(model, ForecastRules.defaults().withoutLearning())) {
            totals = replay.run(TrainingSeries.regular("flat-then-moving", 0, 60_000, 1, flatThenMoving), 100,
                    new int[0], new float[0][], 0);
        }

        // Its scale sits at its floor when it starts moving: unclipped, one error alone would be about 1e18.
        Normalization normalization = model.spec().normalization();
        double largest = 2 * normalization.perKey().orElseThrow().clip() / normalization.std(0);
        double bound = totals.squaredTerms(0) * largest * largest;
        assertThat(totals.squaredTerms(0)).isPositive();
        assertThat(totals.squaredError(0)).isLessThanOrEqualTo(bound);
        assertThat(totals.naiveSquaredError(0)).isLessThanOrEqualTo(bound);
    }
}
