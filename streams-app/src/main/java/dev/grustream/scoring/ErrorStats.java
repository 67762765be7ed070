package dev.grustream.scoring;

import java.util.Arrays;

/**
 * Exponentially weighted statistics of one key's one-step forecast errors ({@code actual - expected}), per target:
 * mean, variance and mean absolute deviation from the mean. The first stage of the anomaly score measures a new
 * error in them ({@link #deviation}) before it is folded in ({@link #add}).
 *
 * <p>With weight {@code w = max(1 - 2^(-1/H), 1/(n+1))} for half-life {@code H} and {@code n} errors so far, per
 * target: {@code d = e - mean; mean += w d; variance = (1 - w)(variance + w d^2); mad += w (|d| - mad)}. The
 * deviation of a new error row is {@code sqrt(sum_t z_t^2)} with
 * {@code z_t = (e_t - mean_t) / max(sqrt(pi/2) * mad_t, minStdRatio * scale_t)}: the mean absolute deviation rather
 * than the variance, because one spike inflates a variance by its square and would hide the next anomaly for
 * hundreds of events.
 *
 * <p>Maps one-to-one onto the {@code ResidualStats} record of the stored state. Mutable and not thread-safe: one
 * instance belongs to one key's state.
 */
public final class ErrorStats {
    /** Fewest past errors a key needs before its errors are measured; before that there is no deviation. */
    public static final long MIN_ERRORS = 8;
    /** {@code sqrt(pi/2)}: the standard deviation of Gaussian errors over their mean absolute deviation. */
    static final double MAD_TO_SD = Math.sqrt(Math.PI / 2.0);

    /**
     * How the statistics are kept and read. Immutable and thread-safe.
     */
    public static final class Rule {
        private final double minStdRatio;
        private final double minWeight;

        /**
         * @param halfLifeEvents how many errors it takes for an error's weight to halve, {@code >= 1}
         * @param minStdRatio floor of an error's scale as a fraction of the target's normalisation scale,
         *     {@code > 0}: a key forecast perfectly does not turn a rounding error into an anomaly
         */
        public Rule(double halfLifeEvents, double minStdRatio) {
            if (!(halfLifeEvents >= 1.0) || !Double.isFinite(halfLifeEvents)) {
                throw new IllegalArgumentException("halfLifeEvents must be a finite number >= 1, found "
                        + halfLifeEvents);
            }
            if (!(minStdRatio > 0.0) || !Double.isFinite(minStdRatio)) {
                throw new IllegalArgumentException("minStdRatio must be a finite number > 0, found " + minStdRatio);
            }
            this.minStdRatio = minStdRatio;
            this.minWeight = 1.0 - StrictMath.pow(0.5, 1.0 / halfLifeEvents);
        }
    }

    private long count;
    private final double[] mean;
    private final double[] variance;
    private final double[] meanAbsDeviation;

    private ErrorStats(long count, double[] mean, double[] variance, double[] meanAbsDeviation) {
        this.count = count;
        this.mean = mean;
        this.variance = variance;
        this.meanAbsDeviation = meanAbsDeviation;
    }

    /** The statistics of a key that has made no error yet. */
    public static ErrorStats empty(int targets) {
        return new ErrorStats(0, new double[targets], new double[targets], new double[targets]);
    }

    /**
     * Statistics restored from stored values; the arrays are taken, not copied.
     *
     * @throws IllegalArgumentException if the count is negative or the arrays differ in length
     */
    public static ErrorStats of(long count, double[] mean, double[] variance, double[] meanAbsDeviation) {
        if (count < 0) {
            throw new IllegalArgumentException("count: expected >= 0, found " + count);
        }
        if (variance.length != mean.length || meanAbsDeviation.length != mean.length) {
            throw new IllegalArgumentException("mean, variance and meanAbsDeviation: expected one value per target"
                    + " each, found " + mean.length + ", " + variance.length + " and " + meanAbsDeviation.length);
        }
        return new ErrorStats(count, mean, variance, meanAbsDeviation);
    }

    /**
     * The deviation of one row of errors, or NaN while fewer than {@link #MIN_ERRORS} errors have been folded in.
     *
     * @param scale each target's normalisation scale in raw units, which floors its error scale
     */
    public double deviation(double[] errors, double[] scale, Rule rule) {
        if (count < MIN_ERRORS) {
            return Double.NaN;
        }
        double sumSquares = 0.0;
        for (int t = 0; t < errors.length; t++) {
            double sd = Math.max(MAD_TO_SD * meanAbsDeviation[t], rule.minStdRatio * scale[t]);
            double z = (errors[t] - mean[t]) / sd;
            sumSquares += z * z;
        }
        return Math.sqrt(sumSquares);
    }

    /** Folds one row of errors into the statistics. */
    public void add(double[] errors, Rule rule) {
        add(errors, rule, errors.length, 0);
    }

    /**
     * Folds one row of errors into the statistics, where the targets from {@code lateFrom} on have had only
     * {@code lateErrors} real errors so far and held zeros in the rows before them (the step-H error, which exists
     * once a step-H forecast has fallen due): their weights count their own errors only, so the zeros do not stay in
     * their mean absolute deviation, which would then start too low and make a new key's errors look larger than
     * they are for hundreds of events.
     */
    public void add(double[] errors, Rule rule, int lateFrom, long lateErrors) {
        double weight = Math.max(rule.minWeight, 1.0 / (count + 1));
        double lateWeight = Math.max(rule.minWeight, 1.0 / (lateErrors + 1));
        for (int t = 0; t < errors.length; t++) {
            double w = t < lateFrom ? weight : lateWeight;
            double delta = errors[t] - mean[t];
            mean[t] += w * delta;
            variance[t] = (1.0 - w) * (variance[t] + w * delta * delta);
            // Unlike the variance, the deviation starts from the first error's distance to zero, not at zero: a new
            // key's first forecasts come from a fresh hidden state and miss widely, and a wide starting scale that
            // narrows as 1/count keeps its first tens of ordinary errors from looking anomalous (on NAB's tuning series
            // the standard score is about 4 points higher than with a scale that starts at zero).
            meanAbsDeviation[t] += w * (Math.abs(delta) - meanAbsDeviation[t]);
        }
        count++;
    }

    /** How many errors have been folded in. */
    public long count() {
        return count;
    }

    /** The weighted mean error of target {@code target}. */
    public double mean(int target) {
        return mean[target];
    }

    /** The weighted variance of the errors of target {@code target}. */
    public double variance(int target) {
        return variance[target];
    }

    /** The weighted mean absolute deviation of the errors of target {@code target} from their mean. */
    public double meanAbsDeviation(int target) {
        return meanAbsDeviation[target];
    }

    /** The number of targets. */
    public int targets() {
        return mean.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ErrorStats that && count == that.count && Arrays.equals(mean, that.mean)
                && Arrays.equals(variance, that.variance) && Arrays.equals(meanAbsDeviation, that.meanAbsDeviation);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Long.hashCode(count) + Arrays.hashCode(mean)) + Arrays.hashCode(variance))
                + Arrays.hashCode(meanAbsDeviation);
    }

    @Override
    public String toString() {
        return "ErrorStats{count=" + count + ", mean=" + Arrays.toString(mean) + ", variance="
                + Arrays.toString(variance) + ", meanAbsDeviation=" + Arrays.toString(meanAbsDeviation) + "}";
    }
}
