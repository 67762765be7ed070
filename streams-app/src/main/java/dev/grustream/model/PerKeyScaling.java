package dev.grustream.model;

/**
 * The parameters of per-key (adaptive) normalisation: the {@code per_key} object of {@code model.json}'s
 * {@code normalization}. See {@link Normalization} for what they do.
 *
 * <p>{@code new PerKeyScaling(288, 8, 0.001)}
 *
 * <p>Immutable and thread-safe.
 *
 * @param halflife how many events it takes for an observation's weight in the running mean and variance to halve,
 *     {@code >= 1}
 * @param clip the largest magnitude of a per-key standardised value; larger ones are clamped, {@code > 0}
 * @param minStdRatio the smallest per-key scale as a fraction of the running mean's magnitude, {@code >= 0}; it
 *     keeps a key whose values barely move from blowing tiny changes up into huge standardised values
 */
public record PerKeyScaling(double halflife, double clip, double minStdRatio) {

    /**
     * Checks the parameters.
     *
     * @throws IllegalArgumentException naming the {@code model.json} field, expected and found value
     */
    public PerKeyScaling {
        if (!(halflife >= 1) || !Double.isFinite(halflife)) {
            throw new IllegalArgumentException("normalization.per_key.halflife: expected a finite number >= 1,"
                    + " found " + halflife);
        }
        if (!(clip > 0) || !Double.isFinite(clip)) {
            throw new IllegalArgumentException("normalization.per_key.clip: expected a finite number > 0, found "
                    + clip);
        }
        if (!(minStdRatio >= 0) || !Double.isFinite(minStdRatio)) {
            throw new IllegalArgumentException("normalization.per_key.min_std_ratio: expected a finite number >= 0,"
                    + " found " + minStdRatio);
        }
    }

    /**
     * The smallest weight an observation gets in the running statistics, {@code 1 - 2^(-1/halflife)}: the weight of
     * exponential forgetting with this half-life. Computed with {@link StrictMath} so that every JVM agrees to the
     * bit.
     */
    public double minWeight() {
        return 1.0 - StrictMath.pow(2.0, -1.0 / halflife);
    }
}
