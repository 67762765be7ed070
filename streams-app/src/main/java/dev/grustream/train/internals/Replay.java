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
import dev.grustream.model.PerKeyScaling;
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
 * normalised units at forecast time against the actual value clipped as training clips its targets, next to
 * persistence's (the validation loss). It can also record the hidden state the key had before chosen rows.
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

        /**
         * The sum of squared normalised errors of target {@code target}'s forecasts of every step, against actual
         * values clipped as training's targets are.
         */
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
    private final ForecastRules rules;
    private final int targets;
    private final int horizon;
    /** The largest standardised value training's targets take ({@code clip}); infinite with fixed normalisation. */
    private final double clip;
    /** Per target, the spread of standardised values ({@code std[f]} of the normalisation). */
    private final double[] spread;
    private Outcome last;

    /** A replayer of {@code model}'s forecasts under {@code rules}, with the Java backend. */
    public Replay(GruModel model, ForecastRules rules) {
        this.model = model;
        this.spec = model.spec();
        this.forecaster = new Forecaster(rules, Backend.JAVA, 1);
        this.rules = rules;
        this.targets = spec.targetCount();
        this.horizon = spec.horizon();
        Normalization normalization = spec.normalization();
        this.clip = normalization.perKey().map(PerKeyScaling::clip).orElse(Double.POSITIVE_INFINITY);
        this.spread = new double[targets];
        for (int t = 0; t < targets; t++) {
            spread[t] = normalization.std(spec.targetFeatureIndex(t));
        }
    }

    /**
     * Replays {@code series} and scores the forecasts for rows {@code scoreFrom} onwards.
     *
     * @param recordRows ascending rows before which to record the hidden state, or an empty array
     * @param recorded receives the state before {@code recordRows[i]} in {@code recorded[recordOffset + i]}
     */
    public Totals run(TrainingSeries series, int scoreFrom, int[] recordRows, float[][] recorded, int recordOffset) {
        // The last horizon + 1 rows' forecasts, values and scales, in a ring: a row is scored against the forecasts
        // of the horizon rows before it, so memory does not grow with the series.
        int ring = horizon + 1;
        double[][] forecasts = new double[ring][horizon * targets];
        double[][] values = new double[ring][targets];
        double[][] scales = new double[ring][targets];
        double[][] centers = new double[ring][targets];
        boolean[] forecast = new boolean[ring];
        Totals totals = new Totals(targets);
        Normalization normalization = spec.normalization();
        KeyState state = null;
        int nextRecord = 0;
        int start = 0;
        for (int i = 0; i < series.rows(); i++) {
            if (nextRecord < recordRows.length && recordRows[nextRecord] == i) {
                float[] target = recorded[recordOffset + nextRecord];
                // The state the key starts row i from: zero when it is new, restarts there after a gap or has been
                // idle beyond state.ttl.ms (its event times standing for the stream time, as in advance).
                if (state == null || rules.restartsAfter(state.lastEventTime(), series.time(i))
                        || rules.expiresAfter(state.lastActivity(), series.time(i))) {
                    Arrays.fill(target, 0f);
                } else {
                    System.arraycopy(state.hidden(), 0, target, 0, target.length);
                }
                nextRecord++;
            }
            state = advance(series, i, state);
            int slot = i % ring;
            forecast[slot] = last != null;
            if (last == null) {
                continue;
            }
            if (last.step() == 1) {
                start = i;
            }
            for (int t = 0; t < targets; t++) {
                values[slot][t] = last.actual(t);
                scales[slot][t] = normalization.scale(spec.targetFeatureIndex(t), state.features());
                centers[slot][t] = normalization.center(spec.targetFeatureIndex(t), state.features());
                for (int k = 1; k <= horizon; k++) {
                    forecasts[slot][(k - 1) * targets + t] = last.forecast(t, k);
                }
            }
            if (i >= Math.max(scoreFrom, 1)) {
                score(i, start, forecasts, values, scales, centers, forecast, totals);
            }
        }
        return totals;
    }

    /** Advances the key by row {@code row}; leaves its outcome in {@link #last} (null if refused). */
    private KeyState advance(TrainingSeries series, int row, KeyState state) {
        Map<String, Double> features = new HashMap<>();
        for (int f = 0; f < spec.featureCount(); f++) {
            features.put(spec.features().get(f), series.value(row, f));
        }
        last = null;
        // The key's own event time stands for its partition's stream time, so that a key idle beyond state.ttl.ms
        // starts afresh as in the service.
        Map<String, KeyState> touched = forecaster.advance(List.of(new Event(series.key(), series.time(row),
                features, series.time(row))), model, key -> state, new Forecaster.Outcomes() {
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
     * Scores against row {@code i} every forecast made at a row {@code j = i - k} that the same state produced
     * ({@code since <= j}), from the ring of the last rows.
     */
    private void score(int i, int since, double[][] forecasts, double[][] values, double[][] scales,
            double[][] centers, boolean[] forecast, Totals totals) {
        int ring = forecasts.length;
        int row = i % ring;
        for (int k = 1; k <= horizon && i - k >= since; k++) {
            int j = (i - k) % ring;
            if (!forecast[j]) {
                break;
            }
            for (int t = 0; t < targets; t++) {
                double actual = values[row][t];
                double target = clipped(actual, centers[j][t], scales[j][t] / spread[t], clip);
                double error = target - forecasts[j][(k - 1) * targets + t];
                double naive = target - values[j][t];
                if (k == 1) {
                    totals.oneStep[t].add(actual, forecasts[j][t], values[j][t]);
                }
                totals.squaredTerms[t]++;
                totals.squaredError[t] += square(error / scales[j][t]);
                totals.naiveSquaredError[t] += square(naive / scales[j][t]);
            }
        }
    }

    /**
     * {@code actual} as training's target of it: at most {@code clip} of the key's scale {@code keyScale} from its
     * centre, as per-key normalisation clips it. Otherwise a key whose scale sits at its floor after a flat stretch
     * adds errors of 1e9 and more once it moves, and decides the validation loss and early stopping alone.
     */
    private static double clipped(double actual, double center, double keyScale, double clip) {
        if (Double.isInfinite(clip)) {
            return actual;
        }
        double z = (actual - center) / keyScale;
        return center + keyScale * Math.max(-clip, Math.min(clip, z));
    }

    private static double square(double value) {
        return value * value;
    }

    @Override
    public void close() {
        forecaster.close();
    }
}
