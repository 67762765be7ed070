package dev.grustream.scoring;

import org.apache.commons.math3.special.Gamma;

/**
 * One key's anomaly likelihood: how unusual its recent surprises are against its own longer history of them. The
 * second stage of the anomaly score, after the deviation of {@link ErrorStats}, after Numenta's anomaly likelihood
 * (Ahmad et al., "Unsupervised real-time anomaly detection for streaming data", Neurocomputing 2017).
 *
 * <p>For each observation with a deviation {@code r} over T targets, with window {@code W} and half-life {@code H}:
 * <pre>
 *   s = P(T/2, (r / SURPRISE_SCALE)^2 / 2)                          surprise in [0,1] (chi-squared law, T degrees)
 *   a = s for the key's first surprise, else a + (s - a) / W        short average of the recent surprises
 *   u = (a - m) / max(sqrt(v), MIN_SD)                              m, v: the key's statistics of earlier a
 *   likelihood = F(u), F the distribution function of Student's t with 3 degrees of freedom (0.5 for the first)
 *   then: first time m = a, v = PRIOR_VARIANCE; w = max(1 / (n + 1 + PRIOR_EVENTS), 1 - 2^(-1/H));
 *         d = a - m; m += w d; v = (1 - w)(v + w d^2); n++
 * </pre>
 *
 * <p>Why a bounded surprise rather than the deviation itself: one spike of 30 standard deviations would enter the
 * statistics of the averages as a huge outlier, inflate their variance and hide every anomaly for hundreds of events
 * after it; a surprise saturates at 1, so one spike weighs no more than one fully unexpected observation, as the
 * fraction of unpredicted columns does in Numenta's detector. {@link #SURPRISE_SCALE} of 2 keeps the surprise of
 * ordinary errors (one or two standard deviations) low and lets it rise through 3 to 6, where anomalies lie.
 *
 * <p>Why a second stage: keys differ in how heavy-tailed their forecast errors are, so a deviation of 5 is a rare
 * event for one key and a daily one for another; measured against the key's own history of surprises, all keys share
 * one scale and one threshold serves them all. The short average makes a run of moderately unusual errors (a change
 * in noise, a drift the model keeps missing) as visible as one large error. Student's t with 3 degrees of freedom
 * rather than the normal law keeps extreme averages ordered: it stays below 1 in double precision up to {@code u} of
 * about 10^5 (the normal law rounds to 1 from {@code u = 8.3}), and below the range rule's 1.
 *
 * <p>Maps one-to-one onto the {@code LikelihoodStats} record of the stored state. Mutable and not thread-safe: one
 * instance belongs to one key's state.
 */
public final class AnomalyLikelihood {
    /** Deviation, in standard deviations, that the surprise treats as one: s = P(T/2, (r / 2)^2 / 2). */
    public static final double SURPRISE_SCALE = 2.0;
    /** How many observations the starting statistics of a new key weigh. */
    public static final double PRIOR_EVENTS = 50;
    /** The variance of the averaged surprises that a new key's statistics start from. */
    public static final double PRIOR_VARIANCE = 0.01;
    /**
     * Floor of the standard deviation of the averaged surprises: a key whose errors never vary does not turn a
     * change of a hundredth into an alert.
     */
    public static final double MIN_SD = 0.01;

    private static final double SQRT3 = Math.sqrt(3.0);

    /** The window and half-life every key's likelihood is computed with. Immutable and thread-safe. */
    public static final class Rule {
        private final double smoothing;
        private final double minWeight;

        /**
         * @param windowEvents {@code W}: the short average gives a new surprise the weight {@code 1/W}; 1 compares
         *     each observation on its own
         * @param halfLifeEvents {@code H}: after this many events an average weighs half as much in the statistics
         */
        public Rule(double windowEvents, double halfLifeEvents) {
            if (!(windowEvents >= 1.0) || !Double.isFinite(windowEvents)) {
                throw new IllegalArgumentException("windowEvents must be a finite number >= 1, found "
                        + windowEvents);
            }
            if (!(halfLifeEvents >= 1.0) || !Double.isFinite(halfLifeEvents)) {
                throw new IllegalArgumentException("halfLifeEvents must be a finite number >= 1, found "
                        + halfLifeEvents);
            }
            this.smoothing = 1.0 / windowEvents;
            this.minWeight = 1.0 - StrictMath.pow(2.0, -1.0 / halfLifeEvents);
        }
    }

    private long count;
    private double average;
    private double mean;
    private double variance;

    private AnomalyLikelihood(long count, double average, double mean, double variance) {
        this.count = count;
        this.average = average;
        this.mean = mean;
        this.variance = variance;
    }

    /** The likelihood of a key that has had no surprise yet. */
    public static AnomalyLikelihood empty() {
        return new AnomalyLikelihood(0, 0.0, 0.0, 0.0);
    }

    /**
     * A likelihood restored from stored values.
     *
     * @throws IllegalArgumentException if the count is negative
     */
    public static AnomalyLikelihood of(long count, double average, double mean, double variance) {
        if (count < 0) {
            throw new IllegalArgumentException("count: expected >= 0, found " + count);
        }
        return new AnomalyLikelihood(count, average, mean, variance);
    }

    /**
     * The surprise in [0,1] of an observation with deviation {@code deviation} ({@link ErrorStats#deviation}) over
     * {@code targets} targets: the chi-squared distribution function, {@code targets} degrees of freedom, at
     * {@code (deviation / SURPRISE_SCALE)^2}; 1 when that overflows (a value far beyond anything the key's errors
     * have been).
     */
    public static double surprise(double deviation, int targets) {
        double scaled = deviation / SURPRISE_SCALE;
        double half = scaled * scaled / 2.0;
        // Commons Math's continued fraction diverges at infinity instead of returning its limit, 1.
        return half == Double.POSITIVE_INFINITY ? 1.0 : Gamma.regularizedGammaP(targets / 2.0, half);
    }

    /** The likelihood in [0,1] of an observation with surprise {@code surprise}, given the statistics before it. */
    public double likelihood(double surprise, Rule rule) {
        if (count == 0) {
            return 0.5;
        }
        double next = average + (surprise - average) * rule.smoothing;
        return studentT3((next - mean) / Math.max(Math.sqrt(variance), MIN_SD));
    }

    /** Folds {@code surprise} into the statistics. */
    public void add(double surprise, Rule rule) {
        average = count == 0 ? surprise : average + (surprise - average) * rule.smoothing;
        if (count == 0) {
            mean = average;
            variance = PRIOR_VARIANCE;
        }
        double weight = Math.max(1.0 / (count + 1 + PRIOR_EVENTS), rule.minWeight);
        double delta = average - mean;
        mean += weight * delta;
        variance = (1.0 - weight) * (variance + weight * delta * delta);
        count++;
    }

    /** How many surprises have been folded in. */
    public long count() {
        return count;
    }

    /** The short average of the recent surprises. */
    public double average() {
        return average;
    }

    /** The longer-term weighted mean of the short averages. */
    public double mean() {
        return mean;
    }

    /** The longer-term weighted variance of the short averages. */
    public double variance() {
        return variance;
    }

    /** The distribution function of Student's t with 3 degrees of freedom, in closed form. */
    static double studentT3(double u) {
        double x = u / SQRT3;
        return 0.5 + (StrictMath.atan(x) + x / (1.0 + x * x)) / Math.PI;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AnomalyLikelihood that && count == that.count
                && Double.compare(average, that.average) == 0 && Double.compare(mean, that.mean) == 0
                && Double.compare(variance, that.variance) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 * 31 * 31 + Double.hashCode(average) * 31 * 31 + Double.hashCode(mean) * 31
                + Double.hashCode(variance);
    }

    @Override
    public String toString() {
        return "AnomalyLikelihood{count=" + count + ", average=" + average + ", mean=" + mean + ", variance="
                + variance + "}";
    }
}
