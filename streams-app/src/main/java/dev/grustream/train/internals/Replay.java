package dev.grustream.train.internals;

import dev.grustream.forecast.Accuracy;
import dev.grustream.forecast.Event;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.forecast.Forecaster;
import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.Outcome;
import dev.grustream.forecast.Refusal;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import dev.grustream.train.TrainingSeries;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model over one series exactly as the service would for a new key: every row goes through the forecasting
 * core ({@link Forecaster}), the very step the service and the backtest run.
 *
 * <p>From row {@code scoreFrom} on it scores the forecasts made for each row: the one-step forecast's absolute
 * error in raw units next to the persistence forecast's (for MASE), and every step's squared error in the key's
 * normalised units at forecast time, next to persistence's (the validation loss). It can also record the hidden
 * state the key had before chosen rows.
 *
 * <p>Not thread-safe: one per thread; {@link #close()} releases the core's stepper.
 */
public final class Replay implements AutoCloseable {

    /** The scores of one replay, per target. */
    public static final class Totals {
        final Accuracy[] oneStep;
        final long[] squaredTerms;
        final double[] squaredError;
        final double[] naiveSquaredError;

        Totals(int targets) {
            oneStep = new Accuracy[targets];
            for (int t = 0; t < targets; t++) {
                oneStep[t] = new Accuracy();
            }
            squaredTerms = new long[targets];
            squaredError = new double[targets];
            naiveSquaredError = new double[targets];
        }

        /** The accuracy of target {@code target}'s one-step forecasts, against persistence. */
        public Accuracy oneStep(int target) {
            return oneStep[target];
        }

        /** The number of forecasts, of every step, of target {@code target} in the squared errors. */
        public long squaredTerms(int target) {
            return squaredTerms[target];
        }

        /** The sum of squared normalised errors of target {@code target}'s forecasts of every step. */
        public double squaredError(int target) {
            return squaredError[target];
        }

        /** The same sum for the persistence forecast. */
        public double naiveSquaredError(int target) {
            return naiveSquaredError[target];
        }
    }

    private final GruModel model;
    private final ModelSpec spec;
    private final Forecaster forecaster;
    private final long resetGapMs;
    private final int targets;
    private final int horizon;
    private Outcome last;

    /** A replayer of {@code model}'s forecasts under {@code rules}, with the Java backend. */
    public Replay(GruModel model, ForecastRules rules) {
        this.model = model;
        this.spec = model.spec();
        this.forecaster = new Forecaster(rules, Backend.JAVA, 1);
        this.resetGapMs = rules.resetGapMs();
        this.targets = spec.targetCount();
        this.horizon = spec.horizon();
    }

    /** Whether the service restarts a key in {@code state} at an event of {@code eventTime} (state.reset.gap.ms). */
    private boolean restartsAfterGap(KeyState state, long eventTime) {
        return resetGapMs > 0 && eventTime - state.lastEventTime() > resetGapMs;
    }

    /**
     * Replays {@code series} and scores the forecasts for rows {@code scoreFrom} onwards.
     *
     * @param recordRows ascending rows before which to record the hidden state, or an empty array
     * @param recorded receives the state before {@code recordRows[i]} in {@code recorded[recordOffset + i]}
     */
    public Totals run(TrainingSeries series, int scoreFrom, int[] recordRows, float[][] recorded, int recordOffset) {
        int rows = series.rows();
        double[][] forecasts = new double[rows][];
        double[][] values = new double[rows][targets];
        double[][] scales = new double[rows][targets];
        int[] since = new int[rows];
        Normalization normalization = spec.normalization();
        KeyState state = null;
        int nextRecord = 0;
        int start = 0;
        for (int i = 0; i < rows; i++) {
            if (nextRecord < recordRows.length && recordRows[nextRecord] == i) {
                float[] target = recorded[recordOffset + nextRecord];
                // The state the key starts row i from: zero when it is new or restarts there after a gap.
                if (state == null || restartsAfterGap(state, series.time(i))) {
                    Arrays.fill(target, 0f);
                } else {
                    System.arraycopy(state.hidden(), 0, target, 0, target.length);
                }
                nextRecord++;
            }
            state = advance(series, i, state);
            if (last == null) {
                since[i] = i + 1;
                continue;
            }
            if (last.step() == 1) {
                start = i;
            }
            since[i] = start;
            forecasts[i] = new double[horizon * targets];
            for (int t = 0; t < targets; t++) {
                values[i][t] = last.actual(t);
                scales[i][t] = normalization.scale(spec.targetFeatureIndex(t), state.features());
                for (int k = 1; k <= horizon; k++) {
                    forecasts[i][(k - 1) * targets + t] = last.forecast(t, k);
                }
            }
        }
        return score(forecasts, values, scales, since, scoreFrom);
    }

    /** Advances the key by row {@code row}; leaves its outcome in {@link #last} (null if refused). */
    private KeyState advance(TrainingSeries series, int row, KeyState state) {
        Map<String, Double> features = new HashMap<>();
        for (int f = 0; f < spec.featureCount(); f++) {
            features.put(spec.features().get(f), series.value(row, f));
        }
        last = null;
        Map<String, KeyState> touched = forecaster.advance(List.of(new Event(series.key(), series.time(row),
                features)), model, key -> state, new Forecaster.Outcomes() {
                    @Override
                    public void accepted(int index, Outcome outcome) {
                        last = outcome;
                    }

                    @Override
                    public void refused(int index, Refusal refusal, String message) {
                        // A row the service would refuse (a value beyond the accepted range) is skipped, as there.
                    }
                });
        return touched.isEmpty() ? state : touched.get(series.key());
    }

    /**
     * Scores every forecast made at a row {@code j} for row {@code i = j + k} that the same state produced
     * ({@code since[i] <= j}), for {@code i >= scoreFrom}.
     */
    private Totals score(double[][] forecasts, double[][] values, double[][] scales, int[] since, int scoreFrom) {
        Totals totals = new Totals(targets);
        for (int i = Math.max(scoreFrom, 1); i < forecasts.length; i++) {
            if (forecasts[i] == null) {
                continue;
            }
            for (int k = 1; k <= horizon && i - k >= since[i]; k++) {
                int j = i - k;
                if (forecasts[j] == null) {
                    break;
                }
                for (int t = 0; t < targets; t++) {
                    double actual = values[i][t];
                    double error = actual - forecasts[j][(k - 1) * targets + t];
                    double naive = actual - values[j][t];
                    if (k == 1) {
                        totals.oneStep[t].add(actual, forecasts[j][t], values[j][t]);
                    }
                    totals.squaredTerms[t]++;
                    totals.squaredError[t] += square(error / scales[j][t]);
                    totals.naiveSquaredError[t] += square(naive / scales[j][t]);
                }
            }
        }
        return totals;
    }

    private static double square(double value) {
        return value * value;
    }

    @Override
    public void close() {
        forecaster.close();
    }
}
