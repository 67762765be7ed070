package dev.grustream.scoring;

import org.apache.commons.math3.special.Gamma;

/**
 * Turns the deviations a {@link ResidualScorer} measures into an anomaly likelihood in [0,1]: how unusual a key's
 * recent deviations are against that key's own longer history of them. The second stage of the anomaly score,
 * after Numenta's anomaly likelihood (Ahmad et al., "Unsupervised real-time anomaly detection for streaming data",
 * Neurocomputing 2017).
 *
 * <p>For each observation with a deviation {@code r}, with window {@code W} and half-life {@code H}:
 * <pre>
 *   a = r for the key's first deviation, else a + (r - a) / W        short average of the recent deviations
 *   u = (a - m) / max(sqrt(v), MIN_SD)                               m, v: the key's statistics of earlier a
 *   likelihood = F(u), F the distribution function of Student's t with 3 degrees of freedom
 *   then: w = max(1 / (n + 1 + PRIOR_EVENTS), 1 - 2^(-1/H)); d = a - m; m += w d; v = (1 - w)(v + w d^2); n++
 * </pre>
 * Before its first deviation a key's {@code m} and {@code v} are those of {@code r} under ordinary Gaussian errors
 * (the chi distribution with T degrees of freedom, T targets), weighted as {@link #PRIOR_EVENTS} observations, so a
 * new key's first likelihoods are calibrated rather than arbitrary.
 *
 * <p>Why a second stage: keys differ in how heavy-tailed their forecast errors are, so a deviation of 5 is a rare
 * event for one key and a daily one for another; measured against the key's own history of deviations, all keys
 * share one scale and one threshold serves them all. The short average makes a run of moderately unusual errors (a
 * change in noise, a drift the model keeps missing) as visible as one large error, while one large error still moves
 * it a lot. Student's t with 3 degrees of freedom rather than the normal law because averaged deviations have heavy
 * tails: the likelihood stays below 1 in double precision up to {@code u} of about 10^5, so even extreme
 * observations keep their order (the normal law rounds to 1 from {@code u = 8.3}). The likelihood is 0.5 for a
 * key's usual average, and 0.98 at {@code u = 3.7}.
 *
 * <p>The statistics live in caller-owned arrays (the per-key state) and are updated in place: no allocation per
 * event. Immutable and thread-safe.
 */
public final class AnomalyLikelihood {
    /** How many observations the prior statistics of a new key weigh. */
    public static final double PRIOR_EVENTS = 10;
    /**
     * Floor of the standard deviation of the averaged deviations, in standard deviations of the forecast errors:
     * a key whose errors never vary does not turn a change of a hundredth of one into an alert.
     */
    public static final double MIN_SD = 0.01;
    /** Length of the statistics array: {average, mean, variance}. */
    public static final int STATS = 3;

    private static final double SQRT3 = Math.sqrt(3.0);

    private final double smoothing;
    private final double minWeight;
    private final double priorMean;
    private final double priorVariance;

    /**
     * @param targets how many targets the deviations combine (the degrees of freedom of the prior)
     * @param windowEvents {@code W}: the short average gives a new deviation the weight {@code 1/W}; 1 compares each
     *     observation on its own
     * @param halfLifeEvents {@code H}: after this many events an average weighs half as much in the statistics
     */
    public AnomalyLikelihood(int targets, double windowEvents, double halfLifeEvents) {
        if (targets < 1) {
            throw new IllegalArgumentException("targets must be at least 1, found " + targets);
        }
        if (!(windowEvents >= 1.0) || !Double.isFinite(windowEvents)) {
            throw new IllegalArgumentException("windowEvents must be a finite number >= 1, found " + windowEvents);
        }
        if (!(halfLifeEvents >= 1.0) || !Double.isFinite(halfLifeEvents)) {
            throw new IllegalArgumentException("halfLifeEvents must be a finite number >= 1, found "
                    + halfLifeEvents);
        }
        this.smoothing = 1.0 / windowEvents;
        this.minWeight = 1.0 - StrictMath.pow(2.0, -1.0 / halfLifeEvents);
        // The chi distribution, T degrees of freedom: mean sqrt(2) Gamma((T+1)/2) / Gamma(T/2), variance T - mean^2.
        this.priorMean = Math.sqrt(2.0) * StrictMath.exp(Gamma.logGamma((targets + 1) / 2.0)
                - Gamma.logGamma(targets / 2.0));
        this.priorVariance = targets - priorMean * priorMean;
    }

    /**
     * Returns the likelihood in [0,1] of an observation with deviation {@code deviation}, given the key's statistics
     * before it.
     *
     * @param deviation the observation's deviation ({@link ResidualScorer#deviation}), finite
     * @param count how many deviations the statistics hold
     * @param stats the key's {average, mean, variance}; ignored when {@code count} is 0
     */
    public double likelihood(double deviation, long count, double[] stats) {
        double average = average(deviation, count, stats);
        double mean = count == 0 ? priorMean : stats[1];
        double variance = count == 0 ? priorVariance : stats[2];
        return studentT3(((average - mean) / Math.max(Math.sqrt(variance), MIN_SD)));
    }

    /** Folds {@code deviation} into the key's statistics, in place, and returns the new count. */
    public long update(double deviation, long count, double[] stats) {
        double average = average(deviation, count, stats);
        if (count == 0) {
            stats[1] = priorMean;
            stats[2] = priorVariance;
        }
        double weight = Math.max(1.0 / (count + 1 + PRIOR_EVENTS), minWeight);
        double delta = average - stats[1];
        stats[0] = average;
        stats[1] += weight * delta;
        stats[2] = (1.0 - weight) * (stats[2] + weight * delta * delta);
        return count + 1;
    }

    private double average(double deviation, long count, double[] stats) {
        return count == 0 ? deviation : stats[0] + (deviation - stats[0]) * smoothing;
    }

    /** The distribution function of Student's t with 3 degrees of freedom, in closed form. */
    static double studentT3(double u) {
        double x = u / SQRT3;
        return 0.5 + (Math.atan(x) + x / (1.0 + x * x)) / Math.PI;
    }
}
