package dev.grustream.topology.internals;

import dev.grustream.model.KeyStats;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import java.util.Arrays;

/**
 * The working, mutable form of one key's stored state while its events are being processed: the GRU hidden state,
 * the forecast the next observation will be compared with, the running statistics of forecast errors and of their
 * deviations (for the anomaly likelihood), and the range of the key's target values.
 *
 * <p>Arrays are used as-is by the model and the scorer, so processing an event allocates nothing. {@link StateCodec}
 * converts it to and from the stored, versioned Avro record. Not thread-safe: one instance belongs to one task.
 */
public final class KeyState {
    private final String modelName;
    private final String modelVersion;
    private final float[] hidden;
    private final double[] forecast;
    private final double[] errorMean;
    private final double[] errorVariance;
    private final double[] errorMeanAbsDeviation;
    private final KeyStats featureStats;
    private final double[] likelihoodStats;
    private final double[] rangeMin;
    private final double[] rangeMax;
    private long likelihoodCount;
    private long rangeCount;
    private long step;
    private long lastEventTime;
    private long errorCount;
    private long lastAlertTime;
    private double lastAnomalyScore = Double.NaN;
    private boolean hasForecast;

    private KeyState(String modelName, String modelVersion, float[] hidden, double[] forecast, double[] errorMean,
            double[] errorVariance, double[] errorMeanAbsDeviation, KeyStats featureStats, double[] likelihoodStats, double[] rangeMin,
            double[] rangeMax) {
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.hidden = hidden;
        this.forecast = forecast;
        this.errorMean = errorMean;
        this.errorVariance = errorVariance;
        this.errorMeanAbsDeviation = errorMeanAbsDeviation;
        this.featureStats = featureStats;
        this.likelihoodStats = likelihoodStats;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
        this.lastAlertTime = AlertPolicy.NEVER;
    }

    /**
     * A state that has consumed nothing yet: zero hidden state, no forecast, no error or deviation statistics, an
     * empty value range, and the given running statistics of the features (fresh ones for a new key; a gap keeps the
     * key's own, see {@link #keepRangeOf}).
     */
    public static KeyState fresh(String modelName, String modelVersion, int stateSize, int targets,
            KeyStats featureStats) {
        return new KeyState(modelName, modelVersion, new float[stateSize], new double[targets], new double[targets],
                new double[targets], new double[targets], featureStats, new double[AnomalyLikelihood.STATS], new double[targets],
                new double[targets]);
    }

    /** A state restored from stored values; the arrays are taken, not copied. */
    static KeyState restored(String modelName, String modelVersion, float[] hidden, long step, long lastEventTime,
            double[] forecast, boolean hasForecast, long errorCount, double[] errorMean, double[] errorVariance,
            double[] errorMeanAbsDeviation, long lastAlertTime, double lastAnomalyScore, KeyStats featureStats, long likelihoodCount,
            double[] likelihoodStats, long rangeCount, double[] rangeMin, double[] rangeMax) {
        KeyState state = new KeyState(modelName, modelVersion, hidden, forecast, errorMean, errorVariance,
                errorMeanAbsDeviation, featureStats, likelihoodStats, rangeMin, rangeMax);
        state.step = step;
        state.lastEventTime = lastEventTime;
        state.hasForecast = hasForecast;
        state.errorCount = errorCount;
        state.lastAlertTime = lastAlertTime;
        state.lastAnomalyScore = lastAnomalyScore;
        state.likelihoodCount = likelihoodCount;
        state.rangeCount = rangeCount;
        return state;
    }

    /**
     * Takes over {@code previous}'s value range: a key restarted after a gap keeps the extremes it has shown, as it
     * keeps its level and scale, since they outlive a pause.
     */
    public void keepRangeOf(KeyState previous) {
        System.arraycopy(previous.rangeMin, 0, rangeMin, 0, rangeMin.length);
        System.arraycopy(previous.rangeMax, 0, rangeMax, 0, rangeMax.length);
        rangeCount = previous.rangeCount;
    }

    public String modelName() {
        return modelName;
    }

    public String modelVersion() {
        return modelVersion;
    }

    /** Hidden state of every layer, layer 0 first; updated in place. */
    public float[] hidden() {
        return hidden;
    }

    /** One-step forecast per target in observation units; meaningful only when {@link #hasForecast()}. */
    public double[] forecast() {
        return forecast;
    }

    public boolean hasForecast() {
        return hasForecast;
    }

    /** Weighted mean forecast error per target; updated in place. */
    public double[] errorMean() {
        return errorMean;
    }

    /** Weighted forecast error variance per target; updated in place. */
    public double[] errorVariance() {
        return errorVariance;
    }

    /** Weighted mean absolute deviation of the forecast errors from their mean, per target; updated in place. */
    public double[] errorMeanAbsDeviation() {
        return errorMeanAbsDeviation;
    }

    /**
     * The running statistics of the key's raw feature values that per-key normalisation standardises them with;
     * updated in place. Unused by models with fixed normalisation.
     */
    public KeyStats featureStats() {
        return featureStats;
    }

    public long errorCount() {
        return errorCount;
    }

    /**
     * The statistics of the anomaly likelihood, {average, mean, variance} of the key's averaged deviations (see
     * {@link AnomalyLikelihood}); updated in place.
     */
    public double[] likelihoodStats() {
        return likelihoodStats;
    }

    /** How many deviations {@link #likelihoodStats()} hold. */
    public long likelihoodCount() {
        return likelihoodCount;
    }

    public void likelihoodCount(long count) {
        this.likelihoodCount = count;
    }

    /** Smallest value of each target the key has shown; updated in place, meaningful when {@link #rangeCount()} > 0. */
    public double[] rangeMin() {
        return rangeMin;
    }

    /** Largest value of each target the key has shown; updated in place, meaningful when {@link #rangeCount()} > 0. */
    public double[] rangeMax() {
        return rangeMax;
    }

    /** How many observations the value range holds. */
    public long rangeCount() {
        return rangeCount;
    }

    public void rangeCount(long count) {
        this.rangeCount = count;
    }

    public long step() {
        return step;
    }

    public long lastEventTime() {
        return lastEventTime;
    }

    /** Event time of the last alert, or {@link AlertPolicy#NEVER}. */
    public long lastAlertTime() {
        return lastAlertTime;
    }

    /**
     * Anomaly score of the last observation this state consumed, or NaN when that observation had no forecast to be
     * compared with (the first one after a (re)start) or the state was stored before scores were kept.
     */
    public double lastAnomalyScore() {
        return lastAnomalyScore;
    }

    /** Records the anomaly score of the observation just consumed; NaN for none. */
    public void scored(double score) {
        this.lastAnomalyScore = score;
    }

    /** Records that the state consumed an observation of {@code eventTime} and now forecasts {@link #forecast()}. */
    public void advanced(long eventTime) {
        step++;
        lastEventTime = eventTime;
        hasForecast = true;
    }

    public void errorCount(long count) {
        this.errorCount = count;
    }

    public void alerted(long eventTime) {
        this.lastAlertTime = eventTime;
    }

    @Override
    public String toString() {
        return "KeyState{model=" + modelName + "/" + modelVersion + ", step=" + step + ", lastEventTime="
                + lastEventTime + ", forecast=" + (hasForecast ? Arrays.toString(forecast) : "none")
                + ", errorCount=" + errorCount + "}";
    }
}
