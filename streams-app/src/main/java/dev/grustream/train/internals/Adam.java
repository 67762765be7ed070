package dev.grustream.train.internals;

import java.util.List;

/**
 * The Adam optimiser (Kingma and Ba, 2015) with the usual defaults beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8.
 *
 * <p>Moments are kept in float like the parameters; each update is computed in double and rounded once. Powers use
 * {@link StrictMath} so that every JVM computes the same weights.
 *
 * <p>Not thread-safe: owned by the trainer.
 */
public final class Adam {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final GruParameters firstMoment;
    private final GruParameters secondMoment;
    private long steps;

    /** An optimiser for parameters of {@code shape}'s shape, with zero moments. */
    public Adam(GruParameters shape) {
        this.firstMoment = GruParameters.zerosLike(shape);
        this.secondMoment = GruParameters.zerosLike(shape);
    }

    /** Moves {@code parameters} one step against {@code gradient} with learning rate {@code learningRate}. */
    public void step(GruParameters parameters, GruParameters gradient, double learningRate) {
        steps++;
        double correction1 = 1.0 - StrictMath.pow(BETA1, steps);
        double correction2 = 1.0 - StrictMath.pow(BETA2, steps);
        List<float[]> values = parameters.arrays();
        List<float[]> gradients = gradient.arrays();
        List<float[]> firsts = firstMoment.arrays();
        List<float[]> seconds = secondMoment.arrays();
        for (int a = 0; a < values.size(); a++) {
            float[] value = values.get(a);
            float[] g = gradients.get(a);
            float[] m = firsts.get(a);
            float[] v = seconds.get(a);
            for (int i = 0; i < value.length; i++) {
                double gi = g[i];
                m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * gi);
                v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * gi * gi);
                double step = learningRate * (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + EPSILON);
                value[i] = (float) (value[i] - step);
            }
        }
    }
}
