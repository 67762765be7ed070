package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A key's forecasts and states must not depend on the batch it is computed in: the same key is advanced alone
 * (batch of 1) and, in parallel, inside batches of various sizes at a random row among random other keys that
 * change every step.
 */
class DeterminismTest {

    private static final int STEPS = 300;
    private static final int[] BATCH_SIZES = {2, 3, 7, 8, 9, 16, 63, 255, 256, 257, 600};

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("reset_after, 2 layers, H=16", TestModels.spec(GateVariant.RESET_AFTER, 16, 2).build()),
                Arguments.of("reset_after, 1 layer, H=32, saturating", TestModels.spec(GateVariant.RESET_AFTER, 32, 1)
                        .name("saturating").build()),
                Arguments.of("reset_before, 1 layer, H=64", TestModels.spec(GateVariant.RESET_BEFORE, 64, 1).build()),
                Arguments.of("reset_after, 1 layer, H=5, horizon 3", TestModels.spec(GateVariant.RESET_AFTER, 5, 1)
                        .features("load", "latency").targets("latency", "load")
                        .normalization(Normalization.fixed(new double[] {0, 0}, new double[] {1, 1}))
                        .horizon(3).multiStep(MultiStep.RECURSIVE).build()),
                Arguments.of("reset_before, 2 layers, H=8, direct horizon 4, calendar",
                        TestModels.spec(GateVariant.RESET_BEFORE, 8, 2).horizon(4)
                                .calendar(CalendarFeature.TIME_OF_DAY, CalendarFeature.DAY_OF_WEEK).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void javaBackendIsBitIdenticalOverASequenceWhateverTheBatch(String description, ModelSpec spec) {
        assertThat(worstDeviation(model(spec), Backend.JAVA, false)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void nd4jBackendStaysWithinItsStatedDeviationForOneStep(String description, ModelSpec spec) {
        double deviation = worstDeviation(model(spec), Backend.ND4J, true);
        System.out.printf("ND4J worst deviation of one step across batch compositions, %s: %.3e%n", description,
                deviation);
        assertThat(deviation).isLessThanOrEqualTo(Backend.ND4J.maxBatchDeviation());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void nd4jBackendStaysWithinItsStatedDeviationOverASequence(String description, ModelSpec spec) {
        double deviation = worstDeviation(model(spec), Backend.ND4J, false);
        System.out.printf("ND4J worst deviation over %d steps across batch compositions, %s: %.3e%n", STEPS,
                description, deviation);
        assertThat(deviation).isLessThanOrEqualTo(Backend.ND4J.maxBatchDeviation());
    }

    private static GruModel model(ModelSpec spec) {
        return TestModels.random(spec, 11, spec.name().equals("saturating") ? 3 : 1);
    }

    /**
     * Runs one key alone and inside every batch size for {@link #STEPS} steps and returns the worst deviation
     * {@code |a - b| / max(1, |b|)} of its forecasts and states from the run alone; any bit-level difference
     * counts (as at least the smallest float), so 0 means bit-identical.
     *
     * @param resync whether each batched step starts from the state of the run alone (the deviation of one
     *     step) or from its own previous state (the deviation accumulated over the sequence)
     */
    private static double worstDeviation(GruModel model, Backend backend, boolean resync) {
        ModelSpec spec = model.spec();
        int features = spec.inputCount();
        int stateSize = spec.stateSize();
        int forecastSize = spec.forecastSize();
        Random random = new Random(5);
        float[] aloneState = new float[stateSize];
        float[] aloneForecast = new float[forecastSize];
        float[][] keyStates = new float[BATCH_SIZES.length][stateSize];
        double worst = 0;
        try (GruStepper alone = model.newStepper(backend); GruStepper batched = model.newStepper(backend)) {
            for (int step = 0; step < STEPS; step++) {
                float[] input = TestModels.gaussian(random, features);
                float[] previousAlone = aloneState.clone();
                alone.step(1, input, aloneState, aloneForecast);
                for (int s = 0; s < BATCH_SIZES.length; s++) {
                    int size = BATCH_SIZES[s];
                    int row = random.nextInt(size);
                    float[] inputs = TestModels.gaussian(random, size * features);
                    float[] states = TestModels.gaussian(random, size * stateSize);
                    for (int i = 0; i < states.length; i++) {
                        states[i] = (float) Math.tanh(states[i]);
                    }
                    float[] forecasts = new float[size * forecastSize];
                    System.arraycopy(input, 0, inputs, row * features, features);
                    System.arraycopy(resync ? previousAlone : keyStates[s], 0, states, row * stateSize, stateSize);
                    batched.step(size, inputs, states, forecasts);
                    keyStates[s] = Arrays.copyOfRange(states, row * stateSize, (row + 1) * stateSize);
                    worst = Math.max(worst, deviation(aloneState, keyStates[s]));
                    worst = Math.max(worst, deviation(aloneForecast,
                            Arrays.copyOfRange(forecasts, row * forecastSize, (row + 1) * forecastSize)));
                }
            }
        }
        return worst;
    }

    private static double deviation(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(actual[i]) != Float.floatToIntBits(expected[i])) {
                double relative = Math.abs(actual[i] - expected[i]) / Math.max(1.0, Math.abs(expected[i]));
                worst = Math.max(worst, Math.max(relative, Float.MIN_VALUE));
            }
        }
        return worst;
    }
}
