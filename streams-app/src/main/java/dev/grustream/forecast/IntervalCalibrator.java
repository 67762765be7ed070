package dev.grustream.forecast;

/**
 * One target's prediction intervals, calibrated on the key's own recent errors, per forecast step: adaptive
 * conformal inference (Gibbs and Candes, 2021) on a running error scale.
 *
 * <p>Per step k, in the key's normalised units: {@code a_k}, an exponentially weighted mean absolute error (half-life
 * 200 errors, its first errors averaged, counted apart from the exact ones), and a multiplier {@code q_k} per coverage
 * level. The interval's half-width is {@code q_k * a_k} times the key's scale at the forecast. After each error {@code
 * e} of step k, a miss ({@code |e| > q_k a_k}) raises {@code log q_k} by {@code 0.02 (1 - alpha)} and a hit lowers it
 * by {@code 0.02 alpha}, with {@code alpha = 1 - coverage}: in the long run the fraction of misses is alpha whatever
 * the shape of the errors. Multipliers start at the Gaussian value {@code z_(1-alpha/2) sqrt(pi/2)}. An error of
 * exactly zero leaves the scale and the multipliers as they are, so that a long flat stretch cannot shrink them without
 * bound; a step has no interval (NaN) until one of its forecasts was inexact.
 *
 * <p>Two coverage levels are kept: the forecasts' (default 0.9) and the alert rule's (default 0.99). Maps onto the
 * {@code Intervals} record of the stored state. Mutable and not thread-safe.
 */
public final class IntervalCalibrator {
    static final double SCALE_HALFLIFE = 200;
    private static final double SCALE_RATE = Learner.rate(SCALE_HALFLIFE);
    static final double STEP = 0.02;

    /**
     * The count of a step's inexact errors past which it stops counting them: from the 290th error on, the scale's
     * weight is its half-life's rate alone, so every larger count weighs the same.
     */
    static final long COUNTED_ERRORS = 1_000;

    private final double[] errorScale;
    private final double[] logMultiplier;
    private final double[] logMultiplierHigh;
    private final long[] inexactErrors;

    private IntervalCalibrator(double[] errorScale, double[] logMultiplier, double[] logMultiplierHigh,
            long[] inexactErrors) {
        this.errorScale = errorScale;
        this.logMultiplier = logMultiplier;
        this.logMultiplierHigh = logMultiplierHigh;
        this.inexactErrors = inexactErrors;
    }

    static IntervalCalibrator fresh(int horizon, Learner.Rule rule) {
        double[] logMultiplier = new double[horizon];
        double[] logMultiplierHigh = new double[horizon];
        java.util.Arrays.fill(logMultiplier, rule.initialLogMultiplier);
        java.util.Arrays.fill(logMultiplierHigh, rule.initialLogMultiplierHigh);
        return new IntervalCalibrator(new double[horizon], logMultiplier, logMultiplierHigh, new long[horizon]);
    }

    static IntervalCalibrator restored(double[] errorScale, double[] logMultiplier, double[] logMultiplierHigh,
            long[] inexactErrors) {
        if (logMultiplier.length != errorScale.length || logMultiplierHigh.length != errorScale.length
                || inexactErrors.length != errorScale.length) {
            throw new IllegalArgumentException("interval calibration for " + errorScale.length + " steps with "
                    + logMultiplier.length + " and " + logMultiplierHigh.length + " multipliers and "
                    + inexactErrors.length + " error counts");
        }
        for (int k = 0; k < inexactErrors.length; k++) {
            if (inexactErrors[k] < 0 || inexactErrors[k] > COUNTED_ERRORS
                    || (inexactErrors[k] == 0) != (errorScale[k] == 0.0)) {
                throw new IllegalArgumentException("step " + (k + 1) + " counts " + inexactErrors[k]
                        + " inexact errors with an error scale of " + errorScale[k]);
            }
        }
        return new IntervalCalibrator(errorScale, logMultiplier, logMultiplierHigh, inexactErrors);
    }

    /** Folds in the absolute error {@code error} of a step-{@code step} forecast. */
    void add(int step, double error, Learner.Rule rule) {
        if (error == 0.0) {
            // A forecast exactly right (persistence on a flat stretch, or between a step-valued key's steps) says
            // nothing of how far off the next inexact one will be: counted, zeros would shrink the scale and the
            // multipliers without bound over a flat stretch, and a key with more exact forecasts than the coverage
            // has no equilibrium. Calibrated on the inexact forecasts, such a key's intervals cover more than asked.
            return;
        }
        int k = step - 1;
        if (errorScale[k] == 0.0) {
            // The first inexact forecast sets the scale, however many exact ones came before it; the multipliers
            // keep their start.
            errorScale[k] = error;
            inexactErrors[k] = 1;
            return;
        }
        boolean miss = error > StrictMath.exp(logMultiplier[k]) * errorScale[k];
        logMultiplier[k] += STEP * ((miss ? 1.0 : 0.0) - rule.alpha);
        boolean missHigh = error > StrictMath.exp(logMultiplierHigh[k]) * errorScale[k];
        logMultiplierHigh[k] += STEP * ((missHigh ? 1.0 : 0.0) - rule.alphaHigh);
        // Weighed by the step's own inexact errors, not the key's events: a key that moves after a long flat stretch
        // averages its first errors, rather than keeping its first move, often the clamp, at the settled rate.
        errorScale[k] += Learner.weight(SCALE_RATE, inexactErrors[k]) * (error - errorScale[k]);
        inexactErrors[k] = Math.min(inexactErrors[k] + 1, COUNTED_ERRORS);
    }

    /**
     * The half-width of the step's interval at the forecasts' coverage, in normalised units; NaN until a forecast of
     * the step was inexact, since exact ones say nothing of how wide it should be.
     */
    double halfWidth(int step) {
        return scaled(logMultiplier[step - 1], errorScale[step - 1]);
    }

    /** The half-width of the step's interval at the alert rule's coverage, in normalised units; NaN as above. */
    double halfWidthHigh(int step) {
        return scaled(logMultiplierHigh[step - 1], errorScale[step - 1]);
    }

    private static double scaled(double logMultiplier, double errorScale) {
        // A zero width would make the key's first inexact value, however near, fall outside its interval.
        return errorScale == 0.0 ? Double.NaN : StrictMath.exp(logMultiplier) * errorScale;
    }

    int horizon() {
        return errorScale.length;
    }

    double errorScale(int k) {
        return errorScale[k];
    }

    double logMultiplier(int k) {
        return logMultiplier[k];
    }

    double logMultiplierHigh(int k) {
        return logMultiplierHigh[k];
    }

    /** The inexact errors step {@code k + 1} has folded in, counted up to {@link #COUNTED_ERRORS}. */
    long inexactErrors(int k) {
        return inexactErrors[k];
    }
}
