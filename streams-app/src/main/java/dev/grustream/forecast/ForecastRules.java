package dev.grustream.forecast;

import dev.grustream.model.GruModel;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import java.util.Objects;

/**
 * What the forecasting core does with each key's observations apart from what the model says: which observations it
 * accepts, when a key's state starts afresh, and how observations are scored and alerted on.
 *
 * <p>Immutable and thread-safe.
 *
 * @param lateGraceMs how far, in event time, an observation may lie before its key's last one and still be accepted
 * @param resetGapMs a pause longer than this, in event time, restarts the key's model state (0: never)
 * @param stateTtlMs a key idle for longer than this, in the stream time its observations arrive at
 *     ({@link Event#arrivedAt}), starts afresh as a new key (0: never)
 * @param maxAbsNormalized largest magnitude of a normalised input the model is fed; beyond it the observation is
 *     refused as {@link Refusal#OUT_OF_RANGE}
 * @param errors how a key's forecast errors are measured
 * @param likelihood how a key's anomaly likelihood is computed
 * @param range when a value beyond a key's range scores 1
 * @param alerts when a flagged observation raises an alert
 * @param learning whether each key learns its own forecaster ({@link Learner}) on top of the model; without it the
 *     model's forecasts are served as they are, without intervals
 * @param learner how keys learn, and the coverage of their intervals
 * @param intervalAlerts whether an observation outside the key's one-step interval at the alert rule's coverage
 *     scores 1, as one beyond its range does
 */
public record ForecastRules(long lateGraceMs, long resetGapMs, long stateTtlMs, double maxAbsNormalized,
        ErrorStats.Rule errors,
        AnomalyLikelihood.Rule likelihood, ValueRange.Rule range, AlertPolicy alerts, boolean learning,
        Learner.Rule learner, boolean intervalAlerts) {

    // The defaults, which the service's configuration also declares as its own.
    public static final long DEFAULT_LATE_GRACE_MS = 0;
    public static final long DEFAULT_RESET_GAP_MS = 86_400_000;
    public static final long DEFAULT_STATE_TTL_MS = 604_800_000;
    /**
     * Also the largest allowed: the service refuses a model whose weights could overflow a float with inputs so large
     * ({@link GruModel#overflowRisk}).
     */
    public static final double DEFAULT_MAX_ABS_NORMALIZED = GruModel.MAX_ABS_INPUT;
    public static final double DEFAULT_ERROR_HALFLIFE_EVENTS = 1000;
    /** Floor of the forecast-error scale, as a fraction of a target's normalisation scale (not configurable). */
    public static final double MIN_ERROR_STD_RATIO = 1e-3;
    public static final double DEFAULT_LIKELIHOOD_WINDOW_EVENTS = 15;
    public static final double DEFAULT_LIKELIHOOD_HALFLIFE_EVENTS = 2000;
    public static final boolean DEFAULT_RANGE_ENABLED = true;
    public static final double DEFAULT_RANGE_TOLERANCE = 0.05;
    public static final long DEFAULT_RANGE_WARMUP_EVENTS = 30;
    /** A day: a key's first daily cycle reaches new highs and lows that are not anomalies. */
    public static final long DEFAULT_RANGE_WARMUP_MS = 86_400_000L;
    public static final double DEFAULT_THRESHOLD = 0.9835;
    public static final double DEFAULT_CRITICAL_THRESHOLD = 0.999;
    public static final long DEFAULT_ALERT_WARMUP_EVENTS = 50;
    public static final long DEFAULT_ALERT_SUPPRESSION_MS = 600_000;
    public static final boolean DEFAULT_LEARNING = true;
    public static final double DEFAULT_LEARNER_FORGETTING_EVENTS = 300;
    public static final int DEFAULT_PROFILE_BINS = 96;
    public static final double DEFAULT_GUARD_HALFLIFE_EVENTS = 50;
    public static final boolean DEFAULT_PROFILE_MID_HORIZON = false;
    public static final boolean DEFAULT_PROFILE_WEEKLY = false;
    public static final double DEFAULT_INTERVAL_COVERAGE = 0.9;
    public static final double DEFAULT_ALERT_INTERVAL_COVERAGE = 0.99;
    public static final boolean DEFAULT_INTERVAL_ALERTS = false;

    public ForecastRules {
        if (lateGraceMs < 0 || resetGapMs < 0 || stateTtlMs < 0) {
            throw new IllegalArgumentException("lateGraceMs, resetGapMs and stateTtlMs must not be negative, found "
                    + lateGraceMs + ", " + resetGapMs + " and " + stateTtlMs);
        }
        if (!(maxAbsNormalized > 0)) {
            throw new IllegalArgumentException("maxAbsNormalized must be positive, found " + maxAbsNormalized);
        }
        Objects.requireNonNull(errors, "errors");
        Objects.requireNonNull(likelihood, "likelihood");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(learner, "learner");
        if (intervalAlerts && !learning) {
            throw new IllegalArgumentException("interval alerts need learning on: intervals come from the learners");
        }
    }

    /**
     * Whether a key whose last event came at {@code lastEventTime} restarts its model state at an event of
     * {@code eventTime}: a pause longer than {@code resetGapMs}, when that is not 0.
     */
    public boolean restartsAfter(long lastEventTime, long eventTime) {
        return resetGapMs > 0 && eventTime - lastEventTime > resetGapMs;
    }

    /**
     * Whether a key whose last observation arrived at stream time {@code lastActivity} has expired by stream time
     * {@code streamTime}: idle for longer than {@code stateTtlMs}, when that is not 0. Its next observation starts it
     * as a new key.
     */
    public boolean expiresAfter(long lastActivity, long streamTime) {
        return stateTtlMs > 0 && streamTime - lastActivity > stateTtlMs;
    }

    /**
     * Whether an event of {@code eventTime} comes too late for a key whose last event came at {@code lastEventTime}:
     * earlier by more than {@code lateGraceMs}.
     */
    public boolean late(long lastEventTime, long eventTime) {
        return lastEventTime - eventTime > lateGraceMs;
    }

    /** These rules with learning off: the model's own forecasts, as training judges the model it trains. */
    public ForecastRules withoutLearning() {
        return new ForecastRules(lateGraceMs, resetGapMs, stateTtlMs, maxAbsNormalized, errors, likelihood, range,
                alerts, false, learner, false);
    }

    /** These rules with the learners' settings {@code learner}. */
    public ForecastRules withLearner(Learner.Rule learner) {
        return new ForecastRules(lateGraceMs, resetGapMs, stateTtlMs, maxAbsNormalized, errors, likelihood, range,
                alerts, learning, learner, intervalAlerts);
    }

    /** The rules with every default: what the service runs when nothing is configured. */
    public static ForecastRules defaults() {
        return new ForecastRules(DEFAULT_LATE_GRACE_MS, DEFAULT_RESET_GAP_MS, DEFAULT_STATE_TTL_MS,
                DEFAULT_MAX_ABS_NORMALIZED, new ErrorStats.Rule(DEFAULT_ERROR_HALFLIFE_EVENTS, MIN_ERROR_STD_RATIO),
                new AnomalyLikelihood.Rule(DEFAULT_LIKELIHOOD_WINDOW_EVENTS, DEFAULT_LIKELIHOOD_HALFLIFE_EVENTS),
                new ValueRange.Rule(DEFAULT_RANGE_ENABLED, DEFAULT_RANGE_TOLERANCE, DEFAULT_RANGE_WARMUP_EVENTS,
                        DEFAULT_RANGE_WARMUP_MS),
                new AlertPolicy(DEFAULT_THRESHOLD, DEFAULT_CRITICAL_THRESHOLD, DEFAULT_ALERT_WARMUP_EVENTS,
                        DEFAULT_ALERT_SUPPRESSION_MS),
                DEFAULT_LEARNING, new Learner.Rule(DEFAULT_LEARNER_FORGETTING_EVENTS, DEFAULT_PROFILE_BINS,
                        DEFAULT_INTERVAL_COVERAGE, DEFAULT_ALERT_INTERVAL_COVERAGE, DEFAULT_GUARD_HALFLIFE_EVENTS,
                        DEFAULT_PROFILE_MID_HORIZON, DEFAULT_PROFILE_WEEKLY),
                DEFAULT_INTERVAL_ALERTS);
    }
}
