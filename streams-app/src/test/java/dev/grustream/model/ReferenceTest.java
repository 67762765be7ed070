package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both backends against the independent float64 numpy GRU of src/reference/gru_reference.py, over whole
 * sequences (up to 1,000 steps) so that accumulated drift shows.
 */
class ReferenceTest {

    /**
     * Largest absolute difference allowed, in normalised units, between a float32 backend and the float64
     * reference, for forecasts and hidden states alike (both are O(1)).
     *
     * <p>Why this size: float32 carries 6e-8 relative precision, and rounding accumulates over a sequence. The
     * reference generator measured a plain float32 numpy GRU drifting from the float64 one by up to 2.9e-6 over
     * 1,000 steps (the saturating case; 1e-7 to 6e-7 elsewhere); the Java activations add up to 3.8e-7 per
     * evaluation. Measured here (2 cores, JDK 17): worst 1.1e-6 for the Java backend and 8.1e-7 for ND4J, both in
     * the saturating case, at most 3e-7 elsewhere. 1e-5 leaves about ten times that as headroom for other CPUs and
     * BLAS kernels, while any real defect (a gate block out of order, a bias in the wrong place, the other reset
     * variant, a transposed matrix) moves results by 1e-2 or more.
     */
    static final double TOLERANCE = 1e-5;

    static Stream<Arguments> cases() {
        return ReferenceCase.NAMES.stream()
                .flatMap(name -> Stream.of(Backend.values()).map(backend -> Arguments.of(name, backend)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void matchesFloat64ReferenceOverWholeSequence(String name, Backend backend) throws IOException {
        ReferenceCase reference = ReferenceCase.load(name);
        ModelSpec spec = reference.model.spec();
        int keys = reference.keys();
        float[] states = new float[keys * spec.stateSize()];
        float[] forecasts = new float[keys * spec.forecastSize()];
        double worstForecast = 0;
        double worstState = 0;
        try (GruStepper stepper = reference.model.newStepper(backend)) {
            for (int step = 0; step < reference.steps(); step++) {
                stepper.step(keys, reference.normalisedInputs(step), states, forecasts);
                for (int key = 0; key < keys; key++) {
                    for (int i = 0; i < spec.forecastSize(); i++) {
                        double error = Math.abs(forecasts[key * spec.forecastSize() + i]
                                - reference.expectedForecast(key, step, i));
                        worstForecast = Math.max(worstForecast, error);
                    }
                }
                if ((step + 1) % reference.checkpointEvery == 0) {
                    int checkpoint = (step + 1) / reference.checkpointEvery - 1;
                    for (int key = 0; key < keys; key++) {
                        for (int i = 0; i < spec.stateSize(); i++) {
                            double error = Math.abs(states[key * spec.stateSize() + i]
                                    - reference.expectedState(key, checkpoint, i));
                            worstState = Math.max(worstState, error);
                        }
                    }
                }
            }
        }
        System.out.printf("reference %-26s %-4s worst forecast error %.3e, worst state error %.3e,"
                + " numpy float32 drift %.3e%n", name, backend, worstForecast, worstState, reference.float32Drift);
        assertThat(worstForecast).as("worst forecast error").isLessThanOrEqualTo(TOLERANCE);
        assertThat(worstState).as("worst state error").isLessThanOrEqualTo(TOLERANCE);
    }
}
