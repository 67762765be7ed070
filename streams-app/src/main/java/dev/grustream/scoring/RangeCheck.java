package dev.grustream.scoring;

/**
 * Flags an observation whose value leaves the range of the key's earlier values by more than a tolerance: the
 * range rule of the anomaly score, after the "spatial anomaly" rule of Numenta's NAB detector.
 *
 * <p>For each target, with the smallest and largest values {@code lo} and {@code hi} of the key's {@code n} earlier
 * observations, an observation's value {@code x} is outside when
 * <pre>
 *   n >= warmupEvents and hi > lo and (x > hi + tolerance * (hi - lo) or x < lo - tolerance * (hi - lo))
 * </pre>
 * Why: a forecaster follows a series to a level it has never been at and judges the move by the size of the step
 * alone, so a slow climb past every earlier value, or a spike no larger than the key's usual jumps but beyond its
 * extremes, looks ordinary to it. The range only widens, so a key that settles at a new level is flagged once, not
 * on every event; the warm-up keeps a new key, whose range is still being discovered, quiet.
 *
 * <p>The range lives in caller-owned arrays (the per-key state) and is updated in place: no allocation per event.
 * A disabled check never flags but still keeps the range, so that enabling it finds keys ready. Immutable and
 * thread-safe.
 */
public final class RangeCheck {
    private final boolean enabled;
    private final double tolerance;
    private final long warmupEvents;

    /**
     * @param enabled whether {@link #isOutside} may return true
     * @param tolerance how far beyond the range, as a fraction of its width, a value must lie to be outside
     * @param warmupEvents how many values the range must hold before a value can be outside it
     */
    public RangeCheck(boolean enabled, double tolerance, long warmupEvents) {
        if (!(tolerance >= 0.0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be a finite number >= 0, found " + tolerance);
        }
        if (warmupEvents < 0) {
            throw new IllegalArgumentException("warmupEvents must not be negative, found " + warmupEvents);
        }
        this.enabled = enabled;
        this.tolerance = tolerance;
        this.warmupEvents = warmupEvents;
    }

    /**
     * Whether some target's value lies outside the key's range.
     *
     * @param values the observation's value per target
     * @param count how many values the range holds
     * @param min smallest earlier value per target
     * @param max largest earlier value per target
     */
    public boolean isOutside(double[] values, long count, double[] min, double[] max) {
        if (!enabled || count < warmupEvents || count == 0) {
            return false;
        }
        for (int t = 0; t < values.length; t++) {
            double margin = tolerance * (max[t] - min[t]);
            if (max[t] > min[t] && (values[t] > max[t] + margin || values[t] < min[t] - margin)) {
                return true;
            }
        }
        return false;
    }

    /** Widens the range, in place, to hold {@code values}, and returns the new count. */
    public long update(double[] values, long count, double[] min, double[] max) {
        for (int t = 0; t < values.length; t++) {
            min[t] = count == 0 ? values[t] : Math.min(min[t], values[t]);
            max[t] = count == 0 ? values[t] : Math.max(max[t], values[t]);
        }
        return count + 1;
    }
}
