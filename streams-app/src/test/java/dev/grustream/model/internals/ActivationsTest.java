package dev.grustream.model.internals;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rational activations against the JDK's double-precision functions over a dense sweep. */
class ActivationsTest {

    private static final int POINTS = 2_000_001;

    @Test
    void tanhIsWithinItsStatedErrorFromMinus20To20() {
        double worst = 0;
        for (int i = 0; i < POINTS; i++) {
            float x = -20f + 40f * i / (POINTS - 1);
            worst = Math.max(worst, Math.abs(Activations.tanh(x) - Math.tanh(x)));
        }
        assertThat(worst).isLessThanOrEqualTo(3.8e-7);
    }

    @Test
    void tanhIsWithinItsStatedErrorAtEveryFloatFromOneToTheClamp() {
        double worst = 0;
        for (float x = 1f; x <= 9f; x = Math.nextUp(x)) {
            worst = Math.max(worst, Math.abs(Activations.tanh(x) - Math.tanh(x)));
        }
        assertThat(worst).isLessThanOrEqualTo(3.8e-7);
    }

    @Test
    void tanhKeepsItsRelativeErrorNearZero() {
        for (float x = 1e-30f; x < 1e-2f; x *= 1.1f) {
            assertThat(Math.abs(Activations.tanh(x) - Math.tanh(x)) / Math.tanh(x)).isLessThanOrEqualTo(3.8e-7);
        }
    }

    @Test
    void tanhIsOdd() {
        for (float x = 0; x < 12; x += 0.001f) {
            assertThat(Activations.tanh(-x)).isEqualTo(-Activations.tanh(x));
        }
    }

    @Test
    void tanhSaturatesAtTheClamp() {
        assertThat(Activations.tanh(1e30f)).isEqualTo(Activations.tanh(9f)).isBetween(0.9999999f, 1f);
        assertThat(Activations.tanh(Float.NEGATIVE_INFINITY)).isEqualTo(-Activations.tanh(9f));
    }

    @Test
    void sigmoidIsWithinItsStatedErrorFromMinus40To40() {
        double worst = 0;
        for (int i = 0; i < POINTS; i++) {
            float x = -40f + 80f * i / (POINTS - 1);
            worst = Math.max(worst, Math.abs(Activations.sigmoid(x) - 1 / (1 + Math.exp(-x))));
        }
        assertThat(worst).isLessThanOrEqualTo(2e-7);
    }

    @Test
    void nanPropagates() {
        assertThat(Activations.tanh(Float.NaN)).isNaN();
        assertThat(Activations.sigmoid(Float.NaN)).isNaN();
    }
}
