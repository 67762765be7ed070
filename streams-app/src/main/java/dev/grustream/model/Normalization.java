package dev.grustream.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * How a model maps raw observation values to the normalised values its GRU consumes and produces.
 *
 * <p>Two schemes, declared by the {@code normalization} object of {@code model.json}:
 * <ul>
 *   <li><b>Fixed</b> ({@code {"mean": [...], "std": [...]}}): {@code u = (x - mean[f]) / std[f]} per feature
 *       {@code f}, computed in double and rounded to float once; a forecast {@code y} is {@code y * std[f] + mean[f]}
 *       in raw units. Every key is scaled alike.</li>
 *   <li><b>Per key</b> ({@code "per_key": {"halflife": H, "clip": C, "min_std_ratio": r}} added): every key first
 *       standardises its values with its own running statistics ({@link KeyStats}: count {@code n}, mean
 *       {@code m_f}, variance {@code v_f}), so that series of any scale look alike to the GRU; {@code mean} and
 *       {@code std} are then the global statistics of those standardised values over the training data.</li>
 * </ul>
 *
 * <p>Per key, exactly, in double precision:
 * <pre>
 *   s_f = sqrt(max(v_f, (r * |m_f|)^2, 1e-18))                       the key's scale
 *   z_f = 0 if n == 0, else clamp((x_f - m_f) / s_f, -C, C)          stats before this event
 *   u_f = (z_f - mean[f]) / std[f]                                   the GRU input, rounded to float once
 *   then update: w = max(1/(n+1), 1 - 2^(-1/H)); d = x_f - m_f; m_f += w*d; v_f = (1-w)*(v_f + w*d*d); n++
 *   forecast y of feature f: z = y * std[f] + mean[f]; raw = m_f + z * s_f   stats after the update
 * </pre>
 * The first events weigh {@code 1/(n+1)}, a plain running mean, until the half-life's weight takes over. With a
 * horizon above 1 the look-ahead steps feed forecasts back as inputs in normalised units and are denormalised
 * with the statistics frozen after the observed event: under frozen statistics a forecast fed back is exactly the
 * input its raw value would give (bar the clamp), so the stepper needs no per-key knowledge.
 *
 * <p>Per event the service calls {@link #normaliseRow(double[], KeyStats, float[], int)}, then
 * {@link #update(double[], KeyStats)}, steps the GRU, and calls {@link #denormalise(int, float, KeyStats)} on its
 * forecasts: pure arithmetic on the caller's arrays, no allocation. For a fixed normalisation those methods ignore
 * the stats (which may be null) and compute the fixed scheme.
 *
 * <p>Immutable and thread-safe (the {@link KeyStats} passed in are not).
 */
public final class Normalization {

    /** Floor of the squared per-key scale, so that a key whose values never moved cannot divide by zero. */
    static final double MIN_VARIANCE = 1e-18;

    private final double[] mean;
    private final double[] std;
    private final PerKeyScaling perKey;
    private final double minWeight;

    private Normalization(double[] mean, double[] std, PerKeyScaling perKey) {
        this.mean = mean;
        this.std = std;
        this.perKey = perKey;
        this.minWeight = perKey == null ? 0.0 : perKey.minWeight();
    }

    /**
     * The fixed global normalisation with these per-feature means and standard deviations (copied).
     *
     * @throws IllegalArgumentException naming the field and index when the lengths differ, a value is not finite,
     *     or a standard deviation is not positive
     */
    public static Normalization fixed(double[] mean, double[] std) {
        check(mean, std);
        return new Normalization(mean.clone(), std.clone(), null);
    }

    /**
     * Per-key normalisation: each key standardised by its own running statistics with {@code scaling}, then by
     * these global means and standard deviations of the standardised values (copied).
     *
     * @throws IllegalArgumentException as {@link #fixed(double[], double[])}
     */
    public static Normalization perKey(double[] mean, double[] std, PerKeyScaling scaling) {
        check(mean, std);
        return new Normalization(mean.clone(), std.clone(), Objects.requireNonNull(scaling, "scaling"));
    }

    private static void check(double[] mean, double[] std) {
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
    }

    /** The per-key scaling parameters, or empty for the fixed scheme. */
    public Optional<PerKeyScaling> perKey() {
        return Optional.ofNullable(perKey);
    }

    /** Whether each key is standardised by its own running statistics. */
    public boolean isPerKey() {
        return perKey != null;
    }

    /** Fresh statistics for a new key: count 0, one mean and variance per feature. */
    public KeyStats newKeyStats() {
        return KeyStats.empty(mean.length);
    }

    /** The number of features this normalisation covers. */
    public int size() {
        return mean.length;
    }

    /**
     * The global mean of feature {@code feature}: in raw units for the fixed scheme, in per-key standardised units
     * for the per-key scheme.
     */
    public double mean(int feature) {
        return mean[feature];
    }

    /**
     * The global standard deviation of feature {@code feature}: in raw units for the fixed scheme, in per-key
     * standardised units for the per-key scheme (see {@link #scale(int, KeyStats)} for raw units).
     */
    public double std(int feature) {
        return std[feature];
    }

    /**
     * The normalised value of a raw value of feature {@code feature}, for the fixed scheme.
     *
     * @throws IllegalStateException for a per-key normalisation, which needs the key's statistics
     */
    public float normalise(int feature, double raw) {
        requireFixed();
        return (float) ((raw - mean[feature]) / std[feature]);
    }

    /**
     * The raw value of a normalised value of feature {@code feature}, for the fixed scheme.
     *
     * @throws IllegalStateException for a per-key normalisation, which needs the key's statistics
     */
    public double denormalise(int feature, float normalised) {
        requireFixed();
        return normalised * std[feature] + mean[feature];
    }

    /**
     * Normalises one row of raw feature values, in feature order, into {@code out} at {@code offset}, for the fixed
     * scheme.
     *
     * @throws IllegalArgumentException if {@code raw} does not hold one value per feature
     * @throws IllegalStateException for a per-key normalisation, which needs the key's statistics
     */
    public void normaliseRow(double[] raw, float[] out, int offset) {
        requireFixed();
        normaliseRow(raw, null, out, offset);
    }

    /**
     * The GRU input for raw value {@code raw} of feature {@code feature} of a key with statistics {@code stats}
     * (before this event's {@link #update}). NaN for NaN.
     *
     * @param stats the key's statistics; unused, and may be null, for the fixed scheme
     */
    public float normalise(int feature, double raw, KeyStats stats) {
        if (perKey == null) {
            return (float) ((raw - mean[feature]) / std[feature]);
        }
        double z = 0.0;
        if (stats.count() > 0) {
            z = (raw - stats.mean(feature)) / keyScale(feature, stats);
            z = Math.max(-perKey.clip(), Math.min(perKey.clip(), z));
        }
        return (float) ((z - mean[feature]) / std[feature]);
    }

    /**
     * Normalises one row of a key's raw feature values, in feature order, into {@code out} at {@code offset}, with
     * the key's statistics before this event; call {@link #update(double[], KeyStats)} with the same row next.
     *
     * @param stats the key's statistics; unused, and may be null, for the fixed scheme
     * @throws IllegalArgumentException if {@code raw} does not hold one value per feature
     */
    public void normaliseRow(double[] raw, KeyStats stats, float[] out, int offset) {
        requireRow(raw);
        for (int f = 0; f < raw.length; f++) {
            out[offset + f] = normalise(f, raw[f], stats);
        }
    }

    /**
     * Advances a key's statistics by one event with raw values {@code raw}; does nothing for the fixed scheme.
     *
     * @param stats the key's statistics, changed in place; unused, and may be null, for the fixed scheme
     * @throws IllegalArgumentException if {@code raw} does not hold one finite value per feature; the statistics
     *     are then unchanged
     */
    public void update(double[] raw, KeyStats stats) {
        if (perKey == null) {
            return;
        }
        requireRow(raw);
        for (int f = 0; f < raw.length; f++) {
            if (!Double.isFinite(raw[f])) {
                throw new IllegalArgumentException("raw[" + f + "]: expected a finite number, found " + raw[f]);
            }
        }
        stats.advance(raw, Math.max(1.0 / (stats.count() + 1.0), minWeight));
    }

    /**
     * The raw value of a normalised forecast {@code normalised} of feature {@code feature}, for a key with
     * statistics {@code stats} (after the {@link #update} of the event the forecast was made at).
     *
     * @param stats the key's statistics; unused, and may be null, for the fixed scheme
     */
    public double denormalise(int feature, float normalised, KeyStats stats) {
        double z = normalised * std[feature] + mean[feature];
        return perKey == null ? z : stats.mean(feature) + z * keyScale(feature, stats);
    }

    /**
     * How many raw units one normalised unit of feature {@code feature} is worth for a key: {@code std[f]} for the
     * fixed scheme, {@code std[f] * s_f} for the per-key scheme. Scales forecast errors into normalised units.
     *
     * @param stats the key's statistics; unused, and may be null, for the fixed scheme
     */
    public double scale(int feature, KeyStats stats) {
        return perKey == null ? std[feature] : std[feature] * keyScale(feature, stats);
    }

    /**
     * Where a key's values of feature {@code feature} are centred in raw units: the key's running mean for the
     * per-key scheme (0 before its first event), the global mean for the fixed one.
     *
     * @param stats the key's statistics; unused, and may be null, for the fixed scheme
     */
    public double center(int feature, KeyStats stats) {
        return perKey == null ? mean[feature] : stats.mean(feature);
    }

    /**
     * How widely a key's values of feature {@code feature} spread, in raw units: the key's scale {@code s_f} for the
     * per-key scheme, the global standard deviation for the fixed one. Unlike {@link #scale}, it leaves out the
     * model's standardisation of per-key values.
     *
     * @param stats the key's statistics; unused, and may be null, for the fixed scheme
     */
    public double spread(int feature, KeyStats stats) {
        return perKey == null ? std[feature] : keyScale(feature, stats);
    }

    /** The per-key scale {@code s_f = sqrt(max(v_f, (r * |m_f|)^2, 1e-18))}. */
    private double keyScale(int feature, KeyStats stats) {
        double floor = perKey.minStdRatio() * Math.abs(stats.mean(feature));
        return Math.sqrt(Math.max(stats.variance(feature), Math.max(floor * floor, MIN_VARIANCE)));
    }

    private void requireFixed() {
        if (perKey != null) {
            throw new IllegalStateException("this model normalises per key: pass the key's KeyStats");
        }
    }

    private void requireRow(double[] raw) {
        if (raw.length != mean.length) {
            throw new IllegalArgumentException("raw: expected " + mean.length + " values, found " + raw.length);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Normalization that && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std)
                && Objects.equals(perKey, that.perKey);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(std)) + Objects.hashCode(perKey);
    }

    @Override
    public String toString() {
        return "Normalization{mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std)
                + (perKey == null ? "" : ", perKey=" + perKey) + "}";
    }
}
