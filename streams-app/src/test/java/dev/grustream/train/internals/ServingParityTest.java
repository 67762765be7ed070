package dev.grustream.train.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.model.Backend;
import dev.grustream.model.CalendarFeature;
import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.model.KeyStats;
import dev.grustream.model.ModelSpec;
import dev.grustream.train.SyntheticData;
import dev.grustream.train.Trainer;
import dev.grustream.train.TrainingConfig;
import dev.grustream.train.TrainingListener;
import dev.grustream.train.TrainingSeries;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The trainer's forward pass computes what the serving stepper computes: a trained two-layer model run over
 * 1,000 events by both agrees within 1e-5 (the bound asked of it; they share the kernels' summation order and
 * activation functions, so they agree to the bit, bar the sign of zero).
 */
class ServingParityTest {

    private static final int ROWS = 1000;

    @ParameterizedTest
    @EnumSource(GateVariant.class)
    void trainerForwardPassMatchesTheJavaStepper(GateVariant variant) {
        TrainingConfig config = TrainingConfig.builder().model(TrainingConfig.defaultModel(List.of("value"),
                        List.of("value")).hiddenSize(12).numLayers(2).gateVariant(variant).horizon(2)
                        .calendar(CalendarFeature.TIME_OF_DAY))
                .epochs(3).window(24).batch(8).learningRate(1e-2).threads(1).build();
        GruModel model = new Trainer(config).train(SyntheticData.sines(3, 600, 5), TrainingListener.NONE).model();
        ModelSpec spec = model.spec();
        float[] inputs = inputs(spec, SyntheticData.sines(2, ROWS + 1, 9).get(1));

        WindowPass pass = new WindowPass(spec, ROWS);
        pass.forward(GruParameters.of(model), inputs, new float[ROWS * spec.headSize()], 0, ROWS,
                new float[spec.stateSize()]);
        float[] trainerState = new float[spec.stateSize()];
        pass.finalState(trainerState);

        float[] state = new float[spec.stateSize()];
        float[] forecast = new float[spec.forecastSize()];
        int width = spec.inputCount();
        double worst = 0;
        try (GruStepper stepper = model.newStepper(Backend.JAVA)) {
            for (int i = 0; i < ROWS; i++) {
                stepper.step(1, Arrays.copyOfRange(inputs, i * width, (i + 1) * width), state, forecast);
                for (int o = 0; o < forecast.length; o++) {
                    worst = Math.max(worst, Math.abs(forecast[o] - pass.output(i, o)));
                }
            }
        }
        for (int j = 0; j < state.length; j++) {
            worst = Math.max(worst, Math.abs(state[j] - trainerState[j]));
        }
        assertThat(worst).isLessThanOrEqualTo(1e-5);
    }

    private static float[] inputs(ModelSpec spec, TrainingSeries series) {
        KeyStats stats = spec.normalization().newKeyStats();
        float[] out = new float[series.rows() * spec.inputCount()];
        double[] row = new double[1];
        for (int i = 0; i < series.rows(); i++) {
            series.copyRow(i, row);
            spec.writeInputs(row, stats, series.time(i), out, i * spec.inputCount());
            spec.normalization().update(row, stats);
        }
        return out;
    }
}
