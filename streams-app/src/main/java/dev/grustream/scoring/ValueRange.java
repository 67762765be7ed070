package dev.grustream.scoring;

import java.util.Arrays;

/**
 * The smallest and largest value of each target one key has shown: the range rule of the anomaly score. After a
 * warm-up, a value beyond the range by more than a tolerance (a fraction of the range's width) scores 1, whatever
 * the forecast: a CPU at 100% for the first time, or a price at half its lowest, matters even when it was predicted.
 *
 * <p>Maps one-to-one onto the {@code ValueRange} record of the stored state. Mutable and not thread-safe: one
 * instance belongs to one key's state.
 */
public final class ValueRange {

    /**
     * When a value counts as beyond the range: immutable and thread-safe.
     *
     * @param enabled whether the rule applies at all (the range is kept either way)
     * @param tolerance how far beyond the range a value must be, as a fraction of the range's width, {@code >= 0}
     * @param warmupEvents how many values the range must hold before the rule applies, {@code >= 0}
     * @param warmupMillis how much event time, at least, must have passed since the range's first value before a
     *     value beyond it by the tolerance counts; until then, only one beyond it by its whole width does, so that a
     *     new key's first cycle does not leave a range that is still filling; {@code >= 0}
     */
    public record Rule(boolean enabled, double tolerance, long warmupEvents, long warmupMillis) {
        public Rule {
            if (!(tolerance >= 0.0) || !Double.isFinite(tolerance)) {
                throw new IllegalArgumentException("tolerance must be a finite number >= 0, found " + tolerance);
            }
            if (warmupEvents < 0 || warmupMillis < 0) {
                throw new IllegalArgumentException("warmupEvents and warmupMillis must not be negative, found "
                        + warmupEvents + " and " + warmupMillis);
            }
        }
    }

    /** The start of a range stored before it was kept, whose warm-up in time counts as over. */
    public static final long UNKNOWN_SINCE = Long.MIN_VALUE;

    private long count;
    private final double[] min;
    private final double[] max;
    private long since;

    private ValueRange(long count, double[] min, double[] max, long since) {
        this.count = count;
        this.min = min;
        this.max = max;
        this.since = since;
    }

    /** The range of a key that has shown no value yet. */
    public static ValueRange empty(int targets) {
        return new ValueRange(0, new double[targets], new double[targets], 0);
    }

    /**
     * A range restored from stored values; the arrays are taken, not copied.
     *
     * @param since the event time of the range's first value, or {@link #UNKNOWN_SINCE}
     * @throws IllegalArgumentException if the count is negative or the arrays differ in length
     */
    public static ValueRange of(long count, double[] min, double[] max, long since) {
        if (count < 0) {
            throw new IllegalArgumentException("count: expected >= 0, found " + count);
        }
        if (min.length != max.length) {
            throw new IllegalArgumentException("min and max: expected one value per target each, found "
                    + min.length + " and " + max.length);
        }
        return new ValueRange(count, min, max, since);
    }

    /**
     * Whether any target of {@code values}, observed at {@code eventTime}, lies beyond the range by more than the
     * rule's tolerance of its width, once the range holds the rule's count of values, and by more than its whole
     * width until the rule's time has passed since the range's first value.
     */
    public boolean excludes(double[] values, Rule rule, long eventTime) {
        if (!rule.enabled() || count == 0 || count < rule.warmupEvents()) {
            return false;
        }
        // Until the warm-up time has passed since the first value, only a value beyond the range by its whole width
        // counts: a new key climbing to its first daily high passes its range in small steps, a spike in one.
        boolean warm = since == UNKNOWN_SINCE || eventTime - since >= rule.warmupMillis();
        double tolerance = warm ? rule.tolerance() : Math.max(rule.tolerance(), 1.0);
        for (int t = 0; t < values.length; t++) {
            double margin = tolerance * (max[t] - min[t]);
            if (max[t] > min[t] && (values[t] > max[t] + margin || values[t] < min[t] - margin)) {
                return true;
            }
        }
        return false;
    }

    /** Widens the range to hold {@code values}, observed at {@code eventTime}. */
    public void include(double[] values, long eventTime) {
        if (count == 0) {
            since = eventTime;
        }
        for (int t = 0; t < values.length; t++) {
            min[t] = count == 0 ? values[t] : Math.min(min[t], values[t]);
            max[t] = count == 0 ? values[t] : Math.max(max[t], values[t]);
        }
        count++;
    }

    /** How many values the range holds. */
    public long count() {
        return count;
    }

    /** The event time of the range's first value, or {@link #UNKNOWN_SINCE}; meaningful when {@link #count()} > 0. */
    public long since() {
        return since;
    }

    /** The smallest value of target {@code target}; meaningful when {@link #count()} > 0. */
    public double min(int target) {
        return min[target];
    }

    /** The largest value of target {@code target}; meaningful when {@link #count()} > 0. */
    public double max(int target) {
        return max[target];
    }

    /** The number of targets. */
    public int targets() {
        return min.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ValueRange that && count == that.count && since == that.since
                && Arrays.equals(min, that.min) && Arrays.equals(max, that.max);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Long.hashCode(count) + Long.hashCode(since)) + Arrays.hashCode(min))
                + Arrays.hashCode(max);
    }

    @Override
    public String toString() {
        return "ValueRange{count=" + count + ", since=" + since + ", min=" + Arrays.toString(min) + ", max="
                + Arrays.toString(max) + "}";
    }
}
