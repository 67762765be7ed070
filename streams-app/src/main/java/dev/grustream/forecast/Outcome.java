package dev.grustream.forecast;

import dev.grustream.avro.AlertRule;
import dev.grustream.avro.StateReset;
import dev.grustream.scoring.AlertLevel;
import java.util.List;

/**
 * What the forecasting core made of one accepted observation: the forecasts of the key's next values, the anomaly
 * score of the observation against what had been forecast for it, and whether it raises an alert. The topology
 * turns it into output records; the core does not know their layout.
 *
 * <p>Immutable and thread-safe (the arrays are never handed out).
 */
public final class Outcome {
    private final Event event;
    private final String modelName;
    private final String modelVersion;
    private final List<String> targets;
    private final int horizon;
    private final long step;
    private final StateReset reset;
    private final double[] forecast;
    private final double[] lower;
    private final double[] upper;
    private final double[] actual;
    private final double[] expected;
    private final double anomalyScore;
    private final boolean anomalous;
    private final AlertLevel alert;
    private final AlertRule rule;

    Outcome(Event event, String modelName, String modelVersion, List<String> targets, int horizon, long step,
            StateReset reset, double[] forecast, double[] lower, double[] upper, double[] actual, double[] expected,
            double anomalyScore, boolean anomalous, AlertLevel alert, AlertRule rule) {
        this.event = event;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.targets = targets;
        this.horizon = horizon;
        this.step = step;
        this.reset = reset;
        this.forecast = forecast;
        this.lower = lower;
        this.upper = upper;
        this.actual = actual;
        this.expected = expected;
        this.anomalyScore = anomalyScore;
        this.anomalous = anomalous;
        this.alert = alert;
        this.rule = rule;
    }

    /** The observation this outcome is about. */
    public Event event() {
        return event;
    }

    public String key() {
        return event.key();
    }

    public long eventTime() {
        return event.eventTime();
    }

    /** Name of the model that made the forecast. */
    public String modelName() {
        return modelName;
    }

    /** Version of the model that made the forecast. */
    public String modelVersion() {
        return modelVersion;
    }

    /** The model's target names, in target order. */
    public List<String> targets() {
        return targets;
    }

    /** How many steps ahead the forecasts reach. */
    public int horizon() {
        return horizon;
    }

    /** How many observations the key's state has consumed, this one included (1 right after a reset). */
    public long step() {
        return step;
    }

    /** Why the key's state started afresh at this observation, or {@link StateReset#NONE}. */
    public StateReset reset() {
        return reset;
    }

    /**
     * The forecast of target {@code target} for the key's {@code stepsAhead}-th next observation, in observation
     * units.
     *
     * @param stepsAhead 1 for the next observation, up to {@link #horizon()}
     */
    public double forecast(int target, int stepsAhead) {
        return forecast[index(target, stepsAhead)];
    }

    /** Whether the forecasts come with intervals: they do when keys learn. */
    public boolean hasIntervals() {
        return lower != null;
    }

    /**
     * The lower bound of the prediction interval of {@link #forecast(int, int)}, or NaN while the key has not seen
     * enough errors of that step, or without intervals.
     */
    public double lower(int target, int stepsAhead) {
        return lower == null ? Double.NaN : lower[index(target, stepsAhead)];
    }

    /** The upper bound of the prediction interval of {@link #forecast(int, int)}; NaN as {@link #lower}. */
    public double upper(int target, int stepsAhead) {
        return upper == null ? Double.NaN : upper[index(target, stepsAhead)];
    }

    private int index(int target, int stepsAhead) {
        if (stepsAhead < 1 || stepsAhead > horizon) {
            throw new IndexOutOfBoundsException("stepsAhead: expected 1.." + horizon + ", found " + stepsAhead);
        }
        return (stepsAhead - 1) * targets.size() + target;
    }

    /** The observed value of target {@code target}. */
    public double actual(int target) {
        return actual[target];
    }

    /** Whether there was a forecast to compare the observation with: false for the first after a (re)start. */
    public boolean compared() {
        return expected != null;
    }

    /** What had been forecast for target {@code target} of this observation; meaningful when {@link #compared()}. */
    public double expected(int target) {
        if (expected == null) {
            throw new IllegalStateException("the observation had no forecast to be compared with");
        }
        return expected[target];
    }

    /** How unlikely the observation was given the key's recent forecast errors, in [0,1]; 0 when not compared. */
    public double anomalyScore() {
        return anomalyScore;
    }

    /** Whether the score reached the alert threshold, regardless of warm-up and suppression. */
    public boolean anomalous() {
        return anomalous;
    }

    /** The alert the observation raises, or {@link AlertLevel#NONE}. */
    public AlertLevel alert() {
        return alert;
    }

    /** What gave the observation its score: the likelihood, or a rule that scores 1 (range, interval). */
    public AlertRule rule() {
        return rule;
    }

    @Override
    public String toString() {
        return "Outcome{key=" + key() + ", eventTime=" + eventTime() + ", step=" + step + ", reset=" + reset
                + ", score=" + anomalyScore + ", alert=" + alert + "}";
    }
}
