package dev.grustream.scoring;

/**
 * Decides whether a flagged observation raises an alert: the hygiene users expect from an alerting system.
 *
 * <ul>
 *   <li>Threshold: an observation is flagged when its score reaches {@code threshold}.</li>
 *   <li>Warm-up: a key raises no alert until its state has consumed {@code warmupEvents} observations, since a
 *       fresh state forecasts poorly.</li>
 *   <li>Suppression: after an alert, the key raises no other alert until {@code suppressionMillis} of event time
 *       have passed, so one incident does not raise an alert per event; nor for an observation older than the
 *       alert (a late one), so that alerts come at most once per window.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class AlertPolicy {
    /** Marks a key that has raised no alert since its state started. */
    public static final long NEVER = Long.MIN_VALUE;

    private final double threshold;
    private final double criticalThreshold;
    private final long warmupEvents;
    private final long suppressionMillis;

    public AlertPolicy(double threshold, double criticalThreshold, long warmupEvents, long suppressionMillis) {
        if (!(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold must be in [0,1], found " + threshold);
        }
        if (!(criticalThreshold >= threshold && criticalThreshold <= 1.0)) {
            throw new IllegalArgumentException("criticalThreshold must be in [threshold, 1] = [" + threshold
                    + ", 1], found " + criticalThreshold);
        }
        if (warmupEvents < 0 || suppressionMillis < 0) {
            throw new IllegalArgumentException("warmupEvents and suppressionMillis must not be negative, found "
                    + warmupEvents + " and " + suppressionMillis);
        }
        this.threshold = threshold;
        this.criticalThreshold = criticalThreshold;
        this.warmupEvents = warmupEvents;
        this.suppressionMillis = suppressionMillis;
    }

    /** The score at or above which an observation is flagged. */
    public double threshold() {
        return threshold;
    }

    /** Whether {@code score} reaches the alert threshold, regardless of warm-up and suppression. */
    public boolean isAnomalous(double score) {
        return score >= threshold;
    }

    /**
     * Returns the alert an observation raises.
     *
     * @param score the observation's anomaly score
     * @param step how many observations the key's state has consumed, this one included
     * @param lastAlertTime event time of the key's latest alert, or {@link #NEVER}
     * @param eventTime the observation's event time
     */
    public AlertLevel decide(double score, long step, long lastAlertTime, long eventTime) {
        if (!isAnomalous(score) || step <= warmupEvents) {
            return AlertLevel.NONE;
        }
        // With late.grace.ms an observation may come after the alert but be older. Only the latest alert is kept, so
        // one older than it raises none: each of a late incident's observations would otherwise be more than the
        // window from the latest alert, and alert one after the other.
        if (lastAlertTime != NEVER && suppressionMillis > 0 && eventTime - lastAlertTime < suppressionMillis) {
            return AlertLevel.NONE;
        }
        return score >= criticalThreshold ? AlertLevel.CRITICAL : AlertLevel.WARNING;
    }
}
