package dev.grustream.scoring;

/**
 * Measures how far a key's one-step forecast errors lie from that key's own recent errors: the first stage of the
 * anomaly score (see {@link AnomalyLikelihood} for the second).
 *
 * <p>Each target's error is standardised with the exponentially weighted mean and mean absolute deviation of the key's
 * previous errors of that target, {@code z = (e - mean) / (sqrt(pi/2) * mad)} (for Gaussian errors
 * {@code sqrt(pi/2) * mad} is their standard deviation), and the observation's deviation is {@code sqrt(sum z^2)}
 * over the T targets ({@code |z|} for one target): how many of its usual standard deviations the key missed its
 * forecast by. The statistics adapt per key and need no labels. An error is measured before it is folded into the
 * statistics, so an anomaly does not mask itself.
 *
 * <p>Why the mean absolute deviation rather than the variance: one spike of 30 standard deviations adds 900 times the
 * usual amount to a variance but only 30 times to a mean absolute deviation, so a key's scale recovers from one
 * anomaly quickly and does not hide the next (on NAB's tuning series, the standard score rose by about 4 points). The
 * variance is still kept, for the forecast intervals that users read.
 *
 * <p>The statistics live in caller-owned arrays (the per-key state) and are updated in place, so scoring allocates
 * nothing. Immutable and thread-safe.
 */
public final class ResidualScorer {
    /** Fewest past errors a key needs before its errors are measured; before that there is no deviation. */
    public static final long MIN_ERRORS = 8;
    /** {@code sqrt(pi/2)}: the standard deviation of Gaussian errors over their mean absolute deviation. */
    static final double MAD_TO_SD = Math.sqrt(Math.PI / 2.0);

    private final double decay;
    private final double minStdRatio;

    /**
     * @param halfLifeEvents after this many events an error weighs half as much in the statistics
     * @param minStdRatio floor of each target's error standard deviation, as a fraction of the target's scale, so
     *     that a perfectly predictable series does not turn rounding noise into alarms
     */
    public ResidualScorer(double halfLifeEvents, double minStdRatio) {
        if (!(halfLifeEvents >= 1.0)) {
            throw new IllegalArgumentException("halfLifeEvents must be at least 1, found " + halfLifeEvents);
        }
        if (!(minStdRatio > 0.0)) {
            throw new IllegalArgumentException("minStdRatio must be positive, found " + minStdRatio);
        }
        this.decay = Math.pow(0.5, 1.0 / halfLifeEvents);
        this.minStdRatio = minStdRatio;
    }

    /**
     * Returns the deviation {@code sqrt(sum z^2)} of {@code errors} given the statistics of earlier errors, or NaN when
     * the statistics hold fewer than {@link #MIN_ERRORS} errors.
     *
     * @param errors actual minus expected, per target
     * @param count how many errors the statistics hold
     * @param mean weighted mean error per target
     * @param meanAbsDeviation weighted mean absolute deviation of the errors from their mean, per target
     * @param scale typical magnitude of each target (for the standard-deviation floor)
     */
    public double deviation(double[] errors, long count, double[] mean, double[] meanAbsDeviation, double[] scale) {
        if (count < MIN_ERRORS) {
            return Double.NaN;
        }
        double sumSquares = 0.0;
        for (int t = 0; t < errors.length; t++) {
            double sd = Math.max(MAD_TO_SD * meanAbsDeviation[t], minStdRatio * scale[t]);
            double z = (errors[t] - mean[t]) / sd;
            sumSquares += z * z;
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Folds {@code errors} into the statistics, in place, and returns the new count. The first errors are averaged
     * plainly (the weight of a new error is at least {@code 1/(count+1)}), so early statistics are not biased
     * toward zero.
     */
    public long update(double[] errors, long count, double[] mean, double[] variance, double[] meanAbsDeviation) {
        double weight = Math.max(1.0 - decay, 1.0 / (count + 1));
        for (int t = 0; t < errors.length; t++) {
            double delta = errors[t] - mean[t];
            mean[t] += weight * delta;
            variance[t] = (1.0 - weight) * (variance[t] + weight * delta * delta);
            // Unlike the variance, the deviation starts from the first error's distance to zero, not at zero: a new key's
            // first forecasts come from a fresh hidden state and miss widely, and a wide starting scale that narrows
            // as 1/count keeps its first tens of ordinary errors from looking anomalous (on NAB's tuning series the
            // standard score is about 4 points higher than with a scale that starts at zero).
            meanAbsDeviation[t] += weight * (Math.abs(delta) - meanAbsDeviation[t]);
        }
        return count + 1;
    }
}
