package dev.grustream.train.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.model.GateVariant;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowPassTest {

    @Test
    void theLossSumsTheSquaredErrorsOfTheTargetsThatExistAndCountsThem() {
        ModelSpec spec = ModelSpec.builder().name("loss").version("1").features("a", "b").targets("b", "a")
                .hiddenSize(3).numLayers(1).gateVariant(GateVariant.RESET_AFTER)
                .normalization(Normalization.fixed(new double[2], new double[] {1, 1})).build();
        GruParameters parameters = GruParameters.random(spec, new Random(5));
        int window = 4;
        int outputs = spec.headSize();
        float[] inputs = new float[2 * (window + 1)];
        float[] targets = new float[outputs * (window + 1)];
        // Rows 1 to 4 are the window's; two of their targets lie beyond the series.
        targets[outputs + 1] = Float.NaN;
        targets[outputs * 4] = Float.NaN;
        WindowPass pass = new WindowPass(spec, window);

        double loss = pass.forward(parameters, inputs, targets, 1, window, new float[spec.stateSize()]);

        assertThat(pass.terms()).isEqualTo(window * outputs - 2);
        double squared = 0;
        for (int s = 0; s < window; s++) {
            for (int o = 0; o < outputs; o++) {
                if (!Float.isNaN(targets[(s + 1) * outputs + o])) {
                    squared += (double) pass.output(s, o) * pass.output(s, o);
                }
            }
        }
        assertThat(loss).isCloseTo(squared, within(1e-6));
    }
}
