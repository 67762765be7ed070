package dev.grustream.train.internals;

import dev.grustream.model.GruStepper;
import dev.grustream.model.KeyStats;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import dev.grustream.train.TrainingSeries;
import java.util.Arrays;

/**
 * Runs a model over one series exactly as the service would for a new key: event by event from a zero state and
 * fresh statistics, normalising each row with the statistics before it, updating them, stepping the serving
 * stepper and denormalising its forecast with the statistics after the update.
 *
 * <p>From row {@code scoreFrom} on it scores every forecast against the row it forecast: absolute error in raw
 * units next to the persistence forecast's, and squared error in normalised units (the target being the next
 * row normalised with the statistics the forecast was denormalised with, as the trainer's targets are) next to
 * persistence's. It can also record the state the key had before chosen rows.
 *
 * <p>Not thread-safe: reuses its buffers. One per thread.
 */
public final class Replay {

    /** The scores of one replay, per target. */
    public static final class Totals {
        final long[] rows;
        final double[] absoluteError;
        final double[] naiveAbsoluteError;
        final double[] squaredError;
        final double[] naiveSquaredError;

        Totals(int targets) {
            rows = new long[targets];
            absoluteError = new double[targets];
            naiveAbsoluteError = new double[targets];
            squaredError = new double[targets];
            naiveSquaredError = new double[targets];
        }

        /** The number of forecasts of target {@code target} scored. */
        public long rows(int target) {
            return rows[target];
        }

        /** The sum of absolute raw errors of target {@code target}'s forecasts. */
        public double absoluteError(int target) {
            return absoluteError[target];
        }

        /** The sum of absolute raw errors of the persistence forecast of target {@code target}. */
        public double naiveAbsoluteError(int target) {
            return naiveAbsoluteError[target];
        }

        /** The sum of squared normalised errors of target {@code target}'s forecasts. */
        public double squaredError(int target) {
            return squaredError[target];
        }

        /** The sum of squared normalised errors of the persistence forecast of target {@code target}. */
        public double naiveSquaredError(int target) {
            return naiveSquaredError[target];
        }
    }

    private final GruStepper stepper;
    private final ModelSpec spec;
    private final Normalization normalization;
    private final double[] row;
    private final double[] nextRow;
    private final float[] input;
    private final float[] state;
    private final float[] forecast;

    /** A replayer running {@code stepper}'s model. */
    public Replay(GruStepper stepper) {
        this.stepper = stepper;
        this.spec = stepper.model().spec();
        this.normalization = spec.normalization();
        this.row = new double[spec.featureCount()];
        this.nextRow = new double[spec.featureCount()];
        this.input = new float[spec.featureCount()];
        this.state = new float[spec.stateSize()];
        this.forecast = new float[spec.forecastSize()];
    }

    /**
     * Replays {@code series} and scores the forecasts of rows {@code scoreFrom} onwards.
     *
     * @param recordRows ascending rows before which to record the state, or an empty array
     * @param recorded receives the state before {@code recordRows[i]} in {@code recorded[recordOffset + i]}
     */
    public Totals run(TrainingSeries series, int scoreFrom, int[] recordRows, float[][] recorded, int recordOffset) {
        int targets = spec.targetCount();
        Totals totals = new Totals(targets);
        KeyStats stats = normalization.newKeyStats();
        Arrays.fill(state, 0f);
        int nextRecord = 0;
        int rows = series.rows();
        for (int i = 0; i < rows; i++) {
            if (nextRecord < recordRows.length && recordRows[nextRecord] == i) {
                System.arraycopy(state, 0, recorded[recordOffset + nextRecord], 0, state.length);
                nextRecord++;
            }
            series.copyRow(i, row);
            normalization.normaliseRow(row, stats, input, 0);
            normalization.update(row, stats);
            stepper.step(1, input, state, forecast);
            if (i + 1 >= scoreFrom && i + 1 < rows) {
                series.copyRow(i + 1, nextRow);
                score(totals, stats);
            }
        }
        return totals;
    }

    private void score(Totals totals, KeyStats stats) {
        for (int t = 0; t < spec.targetCount(); t++) {
            int f = spec.targetFeatureIndex(t);
            double actual = nextRow[f];
            double predicted = normalization.denormalise(f, forecast[t], stats);
            double target = normalization.normalise(f, actual, stats);
            double naive = normalization.normalise(f, row[f], stats);
            totals.rows[t]++;
            totals.absoluteError[t] += Math.abs(actual - predicted);
            totals.naiveAbsoluteError[t] += Math.abs(actual - row[f]);
            totals.squaredError[t] += square(forecast[t] - target);
            totals.naiveSquaredError[t] += square(naive - target);
        }
    }

    private static double square(double value) {
        return value * value;
    }
}
