package dev.grustream.model;

import java.util.Arrays;

/**
 * How a model maps raw observation values to the normalised values its GRU consumes and produces.
 *
 * <p>Format v1 knows one scheme, a fixed global one: {@code normalised = (raw - mean[f]) / std[f]} per feature
 * {@code f}, computed in double and rounded to float once. A later adaptive (per-key) scheme will be declared by
 * an extra field of the {@code normalization} object in {@code model.json} and parsed into an extra component
 * here; v1 loaders reject unknown fields there, so a v1 reader never runs such a model with the fixed scheme.
 *
 * <p>Immutable and thread-safe.
 */
public final class Normalization {

    private final double[] mean;
    private final double[] std;

    private Normalization(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * The fixed global normalisation with these per-feature means and standard deviations (copied).
     *
     * @throws IllegalArgumentException naming the field and index when the lengths differ, a value is not finite,
     *     or a standard deviation is not positive
     */
    public static Normalization fixed(double[] mean, double[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("normalization.std: expected " + mean.length
                    + " values (one per feature, like mean), found " + std.length);
        }
        for (int f = 0; f < mean.length; f++) {
            if (!Double.isFinite(mean[f])) {
                throw new IllegalArgumentException("normalization.mean[" + f + "]: expected a finite number, found "
                        + mean[f]);
            }
            if (!(std[f] > 0) || !Double.isFinite(std[f])) {
                throw new IllegalArgumentException("normalization.std[" + f
                        + "]: expected a finite number > 0, found " + std[f]);
            }
        }
        return new Normalization(mean.clone(), std.clone());
    }

    /** The number of features this normalisation covers. */
    public int size() {
        return mean.length;
    }

    /** The mean of feature {@code feature}, in raw units. */
    public double mean(int feature) {
        return mean[feature];
    }

    /** The standard deviation of feature {@code feature}, in raw units. */
    public double std(int feature) {
        return std[feature];
    }

    /** A copy of the per-feature means. */
    public double[] means() {
        return mean.clone();
    }

    /** A copy of the per-feature standard deviations. */
    public double[] stds() {
        return std.clone();
    }

    /** The normalised value of a raw value of feature {@code feature}. */
    public float normalise(int feature, double raw) {
        return (float) ((raw - mean[feature]) / std[feature]);
    }

    /** The raw value of a normalised value of feature {@code feature}. */
    public double denormalise(int feature, float normalised) {
        return normalised * std[feature] + mean[feature];
    }

    /**
     * Normalises one row of raw feature values, in feature order, into {@code out} at {@code offset}.
     *
     * @throws IllegalArgumentException if {@code raw} does not hold one value per feature
     */
    public void normaliseRow(double[] raw, float[] out, int offset) {
        if (raw.length != mean.length) {
            throw new IllegalArgumentException("raw: expected " + mean.length + " values, found " + raw.length);
        }
        for (int f = 0; f < raw.length; f++) {
            out[offset + f] = normalise(f, raw[f]);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Normalization that && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization{mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "}";
    }
}
