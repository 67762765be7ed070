package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.model.ModelSpec;
import dev.grustream.service.ModelSource;
import org.junit.jupiter.api.Test;

/**
 * The benchmark measures the service at its defaults: its random model has the bundled model's shape, unless asked for
 * the one-step model it ran before.
 */
class BenchmarkModelTest {
    @Test
    void theModelHasTheBundledModelsHorizonInputsAndNormalisationAtTheAskedSize() {
        ModelSpec bundled = ModelSource.bundled().spec();

        ModelSpec spec = Benchmark.model(Benchmark.ModelShape.BUNDLED, 64, 1, 7).spec();

        assertThat(spec.hiddenSize()).isEqualTo(64);
        assertThat(spec.numLayers()).isEqualTo(1);
        assertThat(spec.horizon()).isEqualTo(bundled.horizon()).isEqualTo(12);
        assertThat(spec.calendar()).isEqualTo(bundled.calendar()).isNotEmpty();
        assertThat(spec.multiStep()).isEqualTo(bundled.multiStep());
        assertThat(spec.normalization().isPerKey()).isTrue();
    }

    @Test
    void theOneStepShapeForecastsOneStepFromTheValueAloneAsBenchDidBefore() {
        ModelSpec spec = Benchmark.model(Benchmark.ModelShape.ONE_STEP, 64, 1, 7).spec();

        assertThat(spec.hiddenSize()).isEqualTo(64);
        assertThat(spec.horizon()).isEqualTo(1);
        assertThat(spec.calendar()).isEmpty();
        assertThat(spec.inputCount()).isEqualTo(1);
        assertThat(spec.normalization().isPerKey()).isFalse();
    }

    @Test
    void itsStepGivesAFiniteForecastForEveryStep() {
        GruModel model = Benchmark.model(Benchmark.ModelShape.BUNDLED, 64, 1, 7);
        float[] forecasts = new float[model.spec().forecastSize()];

        try (GruStepper stepper = model.newStepper(Backend.JAVA)) {
            stepper.step(1, new float[model.spec().inputCount()], model.newState(), forecasts);
        }

        assertThat(forecasts).hasSize(12);
        for (float forecast : forecasts) {
            assertThat(Float.isFinite(forecast)).isTrue();
        }
    }
}
