package dev.grustream.scoring;

import org.apache.commons.math3.special.Gamma;

/**
 * Turns the deviations a {@link ResidualScorer} measures into an anomaly likelihood in [0,1]: how unusual a key's
 * recent surprises are against that key's own longer history of them. The second stage of the anomaly score, after
 * Numenta's anomaly likelihood (Ahmad et al., "Unsupervised real-time anomaly detection for streaming data",
 * Neurocomputing 2017).
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
 * <p>The statistics live in caller-owned arrays (the per-key state) and are updated in place: O(1) work and no
 * allocation per event. Immutable and thread-safe.
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
    /** Length of the statistics array: {average, mean, variance}. */
    public static final int STATS = 3;

    private static final double SQRT3 = Math.sqrt(3.0);

    private final double halfTargets;
    private final double smoothing;
    private final double minWeight;

    /**
     * @param targets how many targets the deviations combine (the degrees of freedom of the surprise)
     * @param windowEvents {@code W}: the short average gives a new surprise the weight {@code 1/W}; 1 compares each
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
        this.halfTargets = targets / 2.0;
        this.smoothing = 1.0 / windowEvents;
        this.minWeight = 1.0 - StrictMath.pow(2.0, -1.0 / halfLifeEvents);
    }

    /**
     * Returns the surprise in [0,1] of an observation with deviation {@code deviation} ({@link
     * ResidualScorer#deviation}): the chi-squared distribution function, T degrees of freedom, at
     * {@code (deviation / SURPRISE_SCALE)^2}.
     */
    public double surprise(double deviation) {
        double scaled = deviation / SURPRISE_SCALE;
        return Gamma.regularizedGammaP(halfTargets, scaled * scaled / 2.0);
    }

    /**
     * Returns the likelihood in [0,1] of an observation with surprise {@code surprise}, given the key's statistics
     * before it.
     *
     * @param surprise the observation's {@link #surprise}
     * @param count how many surprises the statistics hold
     * @param stats the key's {average, mean, variance}; ignored when {@code count} is 0
     */
    public double likelihood(double surprise, long count, double[] stats) {
        if (count == 0) {
            return 0.5;
        }
        double average = stats[0] + (surprise - stats[0]) * smoothing;
        return studentT3((average - stats[1]) / Math.max(Math.sqrt(stats[2]), MIN_SD));
    }

    /** Folds {@code surprise} into the key's statistics, in place, and returns the new count. */
    public long update(double surprise, long count, double[] stats) {
        double average = count == 0 ? surprise : stats[0] + (surprise - stats[0]) * smoothing;
        if (count == 0) {
            stats[1] = average;
            stats[2] = PRIOR_VARIANCE;
        }
        double weight = Math.max(1.0 / (count + 1 + PRIOR_EVENTS), minWeight);
        double delta = average - stats[1];
        stats[0] = average;
        stats[1] += weight * delta;
        stats[2] = (1.0 - weight) * (stats[2] + weight * delta * delta);
        return count + 1;
    }

    /** The distribution function of Student's t with 3 degrees of freedom, in closed form. */
    static double studentT3(double u) {
        double x = u / SQRT3;
        return 0.5 + (Math.atan(x) + x / (1.0 + x * x)) / Math.PI;
    }
}
