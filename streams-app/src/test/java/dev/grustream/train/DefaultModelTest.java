package dev.grustream.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.data.FeatureMapping;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.model.CalendarFeature;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.MultiStep;
import dev.grustream.service.ModelSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled default model (made by {@code src/models/train-default-model.sh} from synthetic series only) on NAB
 * series, run causally as the service runs it, each key learning online: it must beat the persistence forecast.
 */
class DefaultModelTest {

    private static GruModel model;

    @BeforeAll
    static void loadBundledModel() {
        model = ModelSource.bundled();
    }

    @Test
    void isAPerKeyModelOfOneValue() {
        ModelSpec spec = model.spec();

        assertThat(spec.features()).containsExactly("value");
        assertThat(spec.targets()).containsExactly("value");
        assertThat(spec.normalization().isPerKey()).isTrue();
    }

    @Test
    void forecastsTwelveStepsDirectlyWithTheTimeOfDayAndWeek() {
        ModelSpec spec = model.spec();

        assertThat(spec.horizon()).isEqualTo(12);
        assertThat(spec.multiStep()).isEqualTo(MultiStep.DIRECT);
        assertThat(spec.calendar()).containsExactly(CalendarFeature.TIME_OF_DAY, CalendarFeature.DAY_OF_WEEK);
    }

    @Test
    void staysWellUnderOneMegabyte() throws IOException {
        try (InputStream zip = ModelSource.class.getResourceAsStream(ModelSource.BUNDLED_MODEL)) {
            assertThat(zip.readAllBytes().length).isLessThan(200_000);
        }
    }

    @Test
    void beatsPersistenceOnHeldOutTrafficSpeed() throws URISyntaxException {
        assertThat(mase("speed_t4013.csv")).isLessThan(1.0);
    }

    @Test
    void beatsPersistenceOnHeldOutCloudCpu() throws URISyntaxException {
        assertThat(mase("ec2_cpu_utilization_ac20cd.csv")).isLessThan(1.0);
    }

    private static double mase(String file) throws URISyntaxException {
        Path path = Path.of(DefaultModelTest.class.getResource("/nab-heldout/" + file).toURI());
        List<TrainingSeries> series = SeriesFiles.read(List.of(path), List.of("value"),
                FeatureMapping.identity(List.of("value"))).series();
        return ForecastEvaluation.evaluate(model, ForecastRules.defaults(), series.get(0), 1).get(0).mase();
    }
}
