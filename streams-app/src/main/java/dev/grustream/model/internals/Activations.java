package dev.grustream.model.internals;

/**
 * The GRU's activation functions in float32, written so that C2 vectorises loops over them.
 *
 * <p>{@code Math.tanh} and {@code Math.exp} cost 7-30 ns a call and are never vectorised, which would make the
 * activations of a 64-unit step cost more than its matrix products. {@link #tanh} is instead a rational
 * function {@code x * P(x^2) / Q(x^2)} of degree 9/8 on inputs clamped to [-9, 9] (beyond which float32 tanh is
 * within an ulp of +-1), using only +, *, /, min and max. Java evaluates those bit-identically on every
 * platform, in the interpreter and in every JIT tier, scalar or vectorised, so a key's result never depends
 * on how or where it was computed.
 *
 * <p>The coefficients come from {@code src/reference/fit_tanh.py} (minimax fit of the relative error, then the
 * float32 formula evaluated operation by operation over 11M points): worst error 3.7e-7 absolute and relative
 * there; over every float in [1, 9], 3.8e-7 (7 ulp, at 7.9389367). {@link #sigmoid} uses the identity
 * {@code sigmoid(x) = (1 + tanh(x / 2)) / 2}; its error is below 2e-7 absolute.
 *
 * <p>Stateless; thread-safe.
 */
public final class Activations {

    private static final float CLAMP = 9.0f;
    private static final float P0 = 1.0f;
    private static final float P1 = 0.13381167f;
    private static final float P2 = 0.003495755f;
    private static final float P3 = 2.0611782e-05f;
    private static final float P4 = 1.3358298e-08f;
    private static final float Q1 = 0.46714482f;
    private static final float Q2 = 0.02587762f;
    private static final float Q3 = 0.00032859057f;
    private static final float Q4 = 7.77807e-07f;

    private Activations() {
    }

    /** The hyperbolic tangent of {@code x}, within 3.8e-7 (7 ulp); NaN for NaN. */
    public static float tanh(float x) {
        float c = Math.max(-CLAMP, Math.min(CLAMP, x));
        float x2 = c * c;
        float p = (((P4 * x2 + P3) * x2 + P2) * x2 + P1) * x2 + P0;
        float q = (((Q4 * x2 + Q3) * x2 + Q2) * x2 + Q1) * x2 + 1.0f;
        return p * c / q;
    }

    /** The logistic function {@code 1 / (1 + e^-x)}, within 2e-7 absolute; NaN for NaN. */
    public static float sigmoid(float x) {
        return 0.5f * tanh(0.5f * x) + 0.5f;
    }
}
