package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The stepper contract, for both backends. Numerical accuracy is in ReferenceTest, determinism elsewhere. */
class GruStepperTest {

    private final GruModel model = TestModels.random(TestModels.spec(GateVariant.RESET_AFTER, 6, 2).build(), 1);

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rejectsANegativeBatch(Backend backend) {
        try (GruStepper stepper = model.newStepper(backend)) {
            assertThatThrownBy(() -> stepper.step(-1, new float[0], new float[0], new float[0]))
                    .hasMessage("batch: expected >= 0, found -1");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rejectsArraysTooShortForTheBatch(Backend backend) {
        try (GruStepper stepper = model.newStepper(backend)) {
            assertThatThrownBy(() -> stepper.step(2, new float[6], new float[23], new float[4]))
                    .hasMessage("states: expected at least 24 values (2 rows of 12), found 23");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void closingTwiceIsHarmless(Backend backend) {
        GruStepper stepper = model.newStepper(backend);
        stepper.close();

        assertThatCode(stepper::close).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anEmptyBatchChangesNothing(Backend backend) {
        float[] states = {1, 2, 3};
        try (GruStepper stepper = model.newStepper(backend)) {
            stepper.step(0, new float[0], states, new float[0]);
        }
        assertThat(states).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void leavesRowsBeyondTheBatchUntouched(Backend backend) {
        Random random = new Random(3);
        float[] inputs = TestModels.gaussian(random, 5 * 3);
        float[] states = TestModels.gaussian(random, 5 * 12);
        float[] forecasts = TestModels.gaussian(random, 5 * 2);
        float[] statesBefore = states.clone();
        float[] forecastsBefore = forecasts.clone();
        try (GruStepper stepper = model.newStepper(backend)) {
            stepper.step(3, inputs, states, forecasts);
        }
        assertThat(Arrays.copyOfRange(states, 36, 60))
                .containsExactly(Arrays.copyOfRange(statesBefore, 36, 60));
        assertThat(Arrays.copyOfRange(forecasts, 6, 10))
                .containsExactly(Arrays.copyOfRange(forecastsBefore, 6, 10));
        assertThat(Arrays.copyOfRange(states, 0, 36))
                .isNotEqualTo(Arrays.copyOfRange(statesBefore, 0, 36));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void growsPastItsFirstBuffersWithoutLosingKeys(Backend backend) {
        Random random = new Random(4);
        float[] inputs = TestModels.gaussian(random, 700 * 3);
        float[] states = new float[700 * 12];
        float[] forecasts = new float[700 * 2];
        float[] alone = new float[12];
        float[] aloneForecast = new float[2];
        try (GruStepper stepper = model.newStepper(backend)) {
            stepper.step(700, inputs, states, forecasts);
            stepper.step(1, Arrays.copyOfRange(inputs, 699 * 3, 700 * 3), alone, aloneForecast);
        }
        for (int i = 0; i < 12; i++) {
            assertThat(states[699 * 12 + i]).isCloseTo(alone[i], within(1e-6f));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void forecastsAheadByFeedingForecastsBackAsInputs(Backend backend) {
        ModelSpec oneStep = TestModels.spec(GateVariant.RESET_BEFORE, 5, 2).features("load", "latency")
                .targets("latency", "load").normalization(Normalization.fixed(new double[2], new double[] {1, 1}))
                .build();
        GruModel next = TestModels.random(oneStep, 9);
        GruModel ahead = withSpec(next, oneStep.toBuilder().horizon(3).multiStep(MultiStep.RECURSIVE).build());
        Random random = new Random(8);
        float[] input = TestModels.gaussian(random, 2);
        float[] state = TestModels.gaussian(random, 10);
        float[] aheadState = state.clone();
        float[] aheadForecasts = new float[6];
        float[] expected = new float[6];
        try (GruStepper aheadStepper = ahead.newStepper(backend); GruStepper nextStepper = next.newStepper(backend)) {
            aheadStepper.step(1, input, aheadState, aheadForecasts);
            float[] forecast = new float[2];
            float[] lookAhead = state.clone();
            float[] x = input;
            for (int step = 0; step < 3; step++) {
                nextStepper.step(1, x, lookAhead, forecast);
                System.arraycopy(forecast, 0, expected, 2 * step, 2);
                if (step == 0) {
                    assertThat(aheadState).as("the state advances by the observed step only")
                            .containsExactly(lookAhead);
                }
                // Targets are [latency, load], features [load, latency]: the forecast is fed back by name.
                x = new float[] {forecast[1], forecast[0]};
            }
        }
        assertThat(aheadForecasts).containsExactly(expected);
    }

    private static GruModel withSpec(GruModel model, ModelSpec spec) {
        List<LayerWeights> layers = new ArrayList<>();
        for (int k = 0; k < spec.numLayers(); k++) {
            layers.add(model.layer(k));
        }
        return GruModel.of(spec, layers, model.headWeight(), model.headBias());
    }
}
