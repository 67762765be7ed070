package dev.grustream.model;

import java.util.Arrays;

/**
 * The running statistics of one key that per-key normalisation standardises its values with: how many events
 * the key has had, and the exponentially weighted mean and variance of each feature in raw units.
 *
 * <p>A new key starts from {@link #empty(int)}; {@link Normalization#update(double[], KeyStats)} advances the
 * statistics by one event. To keep them in a state store, save {@link #count()}, {@link #mean(int)} and
 * {@link #variance(int)} of every feature and restore them with {@link #of(long, double[], double[])} or, without
 * allocating, {@link #set(long, double[], double[])}. A fixed-normalisation model never reads them.
 *
 * <p>Mutable and not thread-safe: one instance belongs to one key and is used by one thread at a time.
 */
public final class KeyStats {

    private long count;
    private final double[] mean;
    private final double[] variance;

    private KeyStats(long count, double[] mean, double[] variance) {
        this.count = count;
        this.mean = mean;
        this.variance = variance;
    }

    /** The statistics of a key that has had no event yet, for {@code features} features. */
    public static KeyStats empty(int features) {
        if (features < 1) {
            throw new IllegalArgumentException("features: expected >= 1, found " + features);
        }
        return new KeyStats(0, new double[features], new double[features]);
    }

    /**
     * Statistics restored from stored values (copied).
     *
     * @throws IllegalArgumentException naming the argument when the count is negative, the lengths differ or are
     *     zero, a value is not finite, or a variance is negative
     */
    public static KeyStats of(long count, double[] mean, double[] variance) {
        KeyStats stats = empty(mean.length);
        stats.set(count, mean, variance);
        return stats;
    }

    /**
     * Replaces these statistics by stored values, copying them into this instance's arrays.
     *
     * @throws IllegalArgumentException as {@link #of(long, double[], double[])}; this instance is then unchanged
     */
    public void set(long count, double[] mean, double[] variance) {
        if (count < 0) {
            throw new IllegalArgumentException("count: expected >= 0, found " + count);
        }
        if (mean.length != this.mean.length || variance.length != this.mean.length) {
            throw new IllegalArgumentException("mean and variance: expected " + this.mean.length
                    + " values each (one per feature), found " + mean.length + " and " + variance.length);
        }
        for (int f = 0; f < mean.length; f++) {
            if (!Double.isFinite(mean[f])) {
                throw new IllegalArgumentException("mean[" + f + "]: expected a finite number, found " + mean[f]);
            }
            if (!(variance[f] >= 0) || !Double.isFinite(variance[f])) {
                throw new IllegalArgumentException("variance[" + f + "]: expected a finite number >= 0, found "
                        + variance[f]);
            }
        }
        this.count = count;
        System.arraycopy(mean, 0, this.mean, 0, mean.length);
        System.arraycopy(variance, 0, this.variance, 0, variance.length);
    }

    /** Makes these the statistics of a key without events again. */
    public void reset() {
        count = 0;
        Arrays.fill(mean, 0.0);
        Arrays.fill(variance, 0.0);
    }

    /** Copies {@code other}'s statistics into this instance. */
    public void copyFrom(KeyStats other) {
        set(other.count, other.mean, other.variance);
    }

    /** The number of features. */
    public int size() {
        return mean.length;
    }

    /** The number of events the statistics have seen. */
    public long count() {
        return count;
    }

    /** The running mean of feature {@code feature}, in raw units (0 before the first event). */
    public double mean(int feature) {
        return mean[feature];
    }

    /** The running variance of feature {@code feature}, in squared raw units (0 before the second event). */
    public double variance(int feature) {
        return variance[feature];
    }

    /** Advances the statistics by one row with {@code weight} for the new row; see {@link Normalization}. */
    void advance(double[] raw, double weight) {
        for (int f = 0; f < mean.length; f++) {
            double d = raw[f] - mean[f];
            mean[f] += weight * d;
            variance[f] = (1.0 - weight) * (variance[f] + weight * d * d);
        }
        count++;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyStats that && count == that.count && Arrays.equals(mean, that.mean)
                && Arrays.equals(variance, that.variance);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(count) + Arrays.hashCode(mean)) + Arrays.hashCode(variance);
    }

    @Override
    public String toString() {
        return "KeyStats{count=" + count + ", mean=" + Arrays.toString(mean) + ", variance="
                + Arrays.toString(variance) + "}";
    }
}
