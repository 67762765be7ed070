package dev.grustream.train.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.model.GateVariant;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hand-written backward pass against central finite differences of the forward pass, for every parameter of
 * a two-layer model with two features and two targets, over a window that starts from a non-zero state.
 *
 * <p>Tolerance: the error is measured relative to {@code 0.01 + |numeric|}. The forward pass runs in float, so the
 * loss carries rounding noise that a difference quotient turns into errors of order 1e-3 (a step of 3e-3 doubles
 * the worst error, so noise dominates, not truncation); the worst measured is 0.6% for both variants. Dropping
 * any single term of the backward pass (a gate derivative, the reset gate's path to the previous state, the
 * gradient to the layer below) was tried and gives 170% to 1,800%: the bound of 2% separates the two by far.
 */
class GradientCheckTest {

    private static final int WINDOW = 10;
    private static final float STEP = 1e-2f;

    @ParameterizedTest
    @EnumSource(GateVariant.class)
    void backwardPassMatchesFiniteDifferences(GateVariant variant) {
        ModelSpec spec = ModelSpec.builder().name("check").version("1").features("a", "b").targets("b", "a")
                .hiddenSize(5).numLayers(2).gateVariant(variant)
                .normalization(Normalization.fixed(new double[2], new double[] {1, 1})).build();
        Random random = new Random(11);
        GruParameters parameters = GruParameters.random(spec, random);
        float[] inputs = gaussian(random, 2 * (WINDOW + 2));
        float[] targets = gaussian(random, spec.headSize() * (WINDOW + 2));
        // A missing target (beyond a series' end) adds nothing to the loss or the gradient.
        targets[3] = Float.NaN;
        float[] initialState = gaussian(random, spec.stateSize());
        for (int i = 0; i < initialState.length; i++) {
            initialState[i] *= 0.5f;
        }
        WindowPass pass = new WindowPass(spec, WINDOW);
        RowMajorWeights rows = new RowMajorWeights(parameters);
        rows.refresh(parameters);
        GruParameters gradient = GruParameters.zerosLike(parameters);
        pass.forward(parameters, inputs, targets, 1, WINDOW, initialState);
        pass.backward(parameters, rows, 1f, gradient);

        List<float[]> values = parameters.arrays();
        List<float[]> analytic = gradient.arrays();
        double worst = 0;
        int checked = 0;
        for (int a = 0; a < values.size(); a++) {
            float[] array = values.get(a);
            for (int i = 0; i < array.length; i++) {
                float original = array[i];
                array[i] = original + STEP;
                float up = array[i];
                double lossUp = pass.forward(parameters, inputs, targets, 1, WINDOW, initialState);
                array[i] = original - STEP;
                float down = array[i];
                double lossDown = pass.forward(parameters, inputs, targets, 1, WINDOW, initialState);
                array[i] = original;
                double numeric = (lossUp - lossDown) / (up - down);
                double error = Math.abs(numeric - analytic.get(a)[i]) / (1e-2 + Math.abs(numeric));
                worst = Math.max(worst, error);
                checked++;
            }
        }

        assertThat(checked).isEqualTo(parameters.count());
        assertThat(gradient.norm()).isGreaterThan(1.0);
        assertThat(worst).isLessThan(2e-2);
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
