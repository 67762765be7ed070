package dev.grustream.forecast;

import dev.grustream.model.KeyStats;
import dev.grustream.model.ModelSpec;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import java.util.Arrays;
import java.util.Objects;

/**
 * Everything the forecasting core keeps for one key between its events, composed of parts that each own their
 * update rule and each map onto one record of the stored {@code SeriesState}:
 * <ul>
 *   <li>the normaliser: the key's running feature statistics ({@link KeyStats}, {@code feature_stats});</li>
 *   <li>the GRU hidden state of every layer ({@code hidden});</li>
 *   <li>the forecast the next observation will be compared with ({@code forecast});</li>
 *   <li>the statistics of its forecast errors ({@link ErrorStats}, {@code residuals});</li>
 *   <li>its anomaly likelihood ({@link AnomalyLikelihood}, {@code likelihood});</li>
 *   <li>its value range ({@link ValueRange}, {@code value_range});</li>
 *   <li>each target's online {@link Learner}, with its day profile and interval calibration ({@code learners}),
 *       when learning is on.</li>
 * </ul>
 * plus a little bookkeeping: the model that made the state, how many events it consumed, the last event and alert
 * times (and, with a late grace, the other event times within it), and the last anomaly score.
 *
 * <p>{@link KeyStateCodec} reads and writes it. Mutable and not thread-safe: one instance belongs to one key while
 * one task processes it.
 */
public final class KeyState {
    /** The most event times before its last one a key remembers within the late grace, to tell a repeat. */
    public static final int REMEMBERED_EVENT_TIMES = 64;
    private static final long[] NONE = new long[0];

    private final String modelName;
    private final String modelVersion;
    private final KeyStats features;
    private final float[] hidden;
    private final double[] forecast;
    private final ErrorStats errors;
    private final AnomalyLikelihood likelihood;
    private final ValueRange range;
    private final Learner[] learners;
    private boolean hasForecast;
    private long step;
    private long lastEventTime;
    private long lastActiveStreamTime;
    /** Other event times consumed within the late grace of the last one, newest first; empty while it is 0. */
    private long[] earlierEventTimes = NONE;
    /** Whether a fresh state took its event times over from the state it replaces ({@link #keepEventTimesOf}). */
    private boolean eventTimesKept;
    private long lastAlertTime = AlertPolicy.NEVER;
    private double lastAnomalyScore = Double.NaN;

    private KeyState(String modelName, String modelVersion, KeyStats features, float[] hidden, double[] forecast,
            ErrorStats errors, AnomalyLikelihood likelihood, ValueRange range, Learner[] learners) {
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.modelVersion = Objects.requireNonNull(modelVersion, "modelVersion");
        this.features = features;
        this.hidden = hidden;
        this.forecast = forecast;
        this.errors = errors;
        this.likelihood = likelihood;
        this.range = range;
        this.learners = learners;
    }

    /**
     * A state of {@code spec}'s model that has consumed nothing yet: zero hidden state, no forecast, no error
     * statistics over {@code errorChannels} errors, with the given feature statistics, value range and learners
     * (fresh ones for a new key; a key restarted after a pause keeps its own, since a series' level, scale, extremes
     * and habits outlive a pause).
     *
     * @param learners one per target, or null when learning is off
     */
    static KeyState fresh(ModelSpec spec, KeyStats features, ValueRange range, int errorChannels,
            Learner[] learners) {
        return new KeyState(spec.name(), spec.version(), features, new float[spec.stateSize()],
                new double[spec.targetCount()], ErrorStats.empty(errorChannels), AnomalyLikelihood.empty(), range,
                learners);
    }

    /**
     * A state restored from stored parts, arrays and parts taken, not copied; {@link #restoreProgress} and
     * {@link #restoreForecast} complete it.
     */
    static KeyState restored(String modelName, String modelVersion, KeyStats features, float[] hidden,
            int targets, ErrorStats errors, AnomalyLikelihood likelihood, ValueRange range, Learner[] learners) {
        return new KeyState(modelName, modelVersion, features, hidden, new double[targets], errors, likelihood,
                range, learners);
    }

    /** Sets the bookkeeping of a restored state. */
    KeyState restoreProgress(long step, long lastEventTime, long lastActiveStreamTime, long lastAlertTime,
            double lastAnomalyScore) {
        this.step = step;
        this.lastEventTime = lastEventTime;
        this.lastActiveStreamTime = lastActiveStreamTime;
        this.lastAlertTime = lastAlertTime;
        this.lastAnomalyScore = lastAnomalyScore;
        return this;
    }

    /** Sets the event times a restored state consumed before its last one, newest first (taken, not copied). */
    KeyState restoreEarlierEventTimes(long[] times) {
        this.earlierEventTimes = times;
        return this;
    }

    /** Sets the one-step forecast of a restored state. */
    KeyState restoreForecast(double[] oneStep) {
        System.arraycopy(oneStep, 0, forecast, 0, forecast.length);
        hasForecast = true;
        return this;
    }

    /**
     * This fresh state, carrying on {@code previous}'s model state and bookkeeping: its hidden state, forecast and
     * progress. Used when a stored state's other parts no longer fit.
     */
    KeyState continuing(KeyState previous) {
        System.arraycopy(previous.hidden, 0, hidden, 0, hidden.length);
        System.arraycopy(previous.forecast, 0, forecast, 0, forecast.length);
        hasForecast = previous.hasForecast;
        step = previous.step;
        lastEventTime = previous.lastEventTime;
        lastActiveStreamTime = previous.lastActiveStreamTime;
        earlierEventTimes = previous.earlierEventTimes;
        lastAlertTime = previous.lastAlertTime;
        lastAnomalyScore = previous.lastAnomalyScore;
        return this;
    }

    /**
     * Gives this fresh state {@code previous}'s last event time, the times it remembers and its last alert's time: a
     * key restarted after a gap or a model change still refuses a repeat of what it processed, a late observation
     * does not move its clock back, and {@code alert.suppression.ms} still counts from its last alert.
     */
    void keepEventTimesOf(KeyState previous) {
        lastEventTime = previous.lastEventTime;
        earlierEventTimes = previous.earlierEventTimes;
        eventTimesKept = true;
        lastAlertTime = previous.lastAlertTime;
    }

    /**
     * Whether this state was made by {@code spec}'s model: its name and version, and a hidden state, forecast and
     * feature statistics of that model's sizes, the statistics present if it normalises per key (a model retrained
     * under the same name and version with other sizes or another number of targets is another model).
     */
    public boolean madeBy(ModelSpec spec) {
        return modelName.equals(spec.name()) && modelVersion.equals(spec.version())
                && hidden.length == spec.stateSize() && forecast.length == spec.targetCount()
                && (features == null ? !spec.normalization().isPerKey() : features.size() == spec.featureCount());
    }

    public String modelName() {
        return modelName;
    }

    public String modelVersion() {
        return modelVersion;
    }

    /**
     * The running statistics of the key's raw feature values that per-key normalisation standardises them with;
     * null in states stored before they were kept. Unused by models with a fixed normalisation.
     */
    public KeyStats features() {
        return features;
    }

    /** Hidden state of every layer, layer 0 first; updated in place. */
    public float[] hidden() {
        return hidden;
    }

    /** Whether the state holds a forecast for the key's next observation. */
    public boolean hasForecast() {
        return hasForecast;
    }

    /** The one-step forecast of target {@code target}, in observation units; meaningful when {@link #hasForecast()}. */
    public double forecast(int target) {
        return forecast[target];
    }

    /** The number of targets. */
    public int targets() {
        return forecast.length;
    }

    /** The statistics of the key's one-step forecast errors. */
    public ErrorStats errors() {
        return errors;
    }

    /** The key's anomaly likelihood. */
    public AnomalyLikelihood likelihood() {
        return likelihood;
    }

    /** The key's value range. */
    public ValueRange range() {
        return range;
    }

    /** Each target's online learner, or null when the state was made with learning off. */
    public Learner[] learners() {
        return learners;
    }

    /** How many observations this state has consumed since it last (re)started. */
    public long step() {
        return step;
    }

    /** Event time of the last observation this state consumed. */
    public long lastEventTime() {
        return lastEventTime;
    }

    /**
     * The stream time of the key's task when the key last consumed an observation (0 in a state stored before it was
     * kept, or never marked; see {@link #activeAt}).
     */
    public long lastActiveStreamTime() {
        return lastActiveStreamTime;
    }

    /**
     * The key's last activity, in the stream time a TTL judges idleness by: the later of {@link #lastEventTime} and
     * {@link #lastActiveStreamTime}, so that a key whose event times lag its partition's (a backfill into a live
     * partition) is active while its observations arrive.
     */
    public long lastActivity() {
        return Math.max(lastEventTime, lastActiveStreamTime);
    }

    /**
     * Records that an observation of this key arrived when its task's stream time was {@code streamTime}. The core
     * calls it as it accepts each observation, with the stream time the observation arrived at (kept with it while it
     * waits in the batch buffer), so a key's stored state does not depend on when or with what its batch ran.
     */
    public void activeAt(long streamTime) {
        lastActiveStreamTime = Math.max(lastActiveStreamTime, streamTime);
    }

    /**
     * The event times this state consumed within the late grace before its last one, newest first, at most
     * {@link #REMEMBERED_EVENT_TIMES}; empty while the grace is 0. Not to be modified.
     */
    long[] earlierEventTimes() {
        return earlierEventTimes;
    }

    /** Whether this state consumed an observation of {@code eventTime}: its last one, or one it remembers. */
    boolean consumed(long eventTime) {
        if (eventTime == lastEventTime) {
            return true;
        }
        for (long earlier : earlierEventTimes) {
            if (earlier == eventTime) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code eventTime} lies before every event time this state remembers while it remembers as many as it
     * can: whether it consumed one then cannot be told.
     */
    boolean forgot(long eventTime) {
        return earlierEventTimes.length == REMEMBERED_EVENT_TIMES
                && eventTime < earlierEventTimes[REMEMBERED_EVENT_TIMES - 1];
    }

    /** Event time of the last alert, or {@link AlertPolicy#NEVER}. */
    public long lastAlertTime() {
        return lastAlertTime;
    }

    /**
     * Anomaly score of the last observation this state consumed, or NaN when that observation had no forecast to be
     * compared with (the first one after a (re)start).
     */
    public double lastAnomalyScore() {
        return lastAnomalyScore;
    }

    /**
     * Records that the state consumed an observation of {@code eventTime}, scored {@code score} (NaN for none), and
     * now forecasts {@code oneStep} for the next one; it remembers the event times within {@code lateGraceMs} of
     * its last one.
     */
    void advanced(long eventTime, long lateGraceMs, double score, double[] oneStep) {
        if (step == 0 && !eventTimesKept) {
            lastEventTime = eventTime;
        } else {
            // A late observation accepted within the grace does not move the key's clock back.
            long earlier = Math.min(lastEventTime, eventTime);
            lastEventTime = Math.max(lastEventTime, eventTime);
            earlierEventTimes = lateGraceMs == 0 ? NONE : remembered(earlier, lateGraceMs);
        }
        step++;
        lastAnomalyScore = score;
        System.arraycopy(oneStep, 0, forecast, 0, forecast.length);
        hasForecast = true;
    }

    /** The earlier event times with {@code time} added, less those beyond the grace or past the most kept. */
    private long[] remembered(long time, long lateGraceMs) {
        long[] merged = new long[earlierEventTimes.length + 1];
        int at = 0;
        while (at < earlierEventTimes.length && earlierEventTimes[at] > time) {
            at++;
        }
        System.arraycopy(earlierEventTimes, 0, merged, 0, at);
        merged[at] = time;
        System.arraycopy(earlierEventTimes, at, merged, at + 1, earlierEventTimes.length - at);
        int kept = 0;
        while (kept < merged.length && kept < REMEMBERED_EVENT_TIMES && lastEventTime - merged[kept] <= lateGraceMs) {
            kept++;
        }
        return kept == merged.length ? merged : Arrays.copyOf(merged, kept);
    }

    /** Records an alert at {@code eventTime}; the latest alert's time is kept, a late observation's alert older. */
    void alerted(long eventTime) {
        lastAlertTime = Math.max(lastAlertTime, eventTime);
    }

    /** States are equal when they would be stored as the same bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof KeyState that && Arrays.equals(KeyStateCodec.encode(this), KeyStateCodec.encode(that));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(KeyStateCodec.encode(this));
    }

    @Override
    public String toString() {
        return "KeyState{model=" + modelName + "/" + modelVersion + ", step=" + step + ", lastEventTime="
                + lastEventTime + ", forecast=" + (hasForecast ? Arrays.toString(forecast) : "none") + ", " + errors
                + "}";
    }
}
