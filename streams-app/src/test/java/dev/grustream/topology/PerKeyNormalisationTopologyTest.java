package dev.grustream.topology;

import static dev.grustream.testing.TopologyHarness.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.forecast.Forecaster;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import dev.grustream.testing.TopologyHarness;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The topology with a model that normalises per key: the bundled default model. */
class PerKeyNormalisationTopologyTest {
    static final long MINUTE = 60_000;
    static final long T0 = NOW.toEpochMilli() - 5 * 86_400_000L;
    static GruModel model;

    @BeforeAll
    static void loadModel() {
        model = ModelSource.bundled();
        assertThat(model.spec().normalization().isPerKey()).isTrue();
    }

    static double wave(int i) {
        return 20 + 5 * Math.sin(i / 7.0) + Math.cos(i * 1.3);
    }

    private List<Forecast> forecasts(double scale, int from, int to) {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"))) {
            for (int i = from; i < to; i++) {
                harness.send("k", T0 + i * MINUTE, scale * wave(i));
            }
            return harness.forecastValues();
        }
    }

    @Test
    void forecastsScaleWithTheSeries() {
        List<Forecast> unit = forecasts(1, 0, 100);
        List<Forecast> thousand = forecasts(1000, 0, 100);

        assertThat(unit).hasSize(100);
        assertThat(thousand).hasSameSizeAs(unit);
        for (int i = 0; i < unit.size(); i++) {
            double small = unit.get(i).getForecast().get("value").get(0);
            double large = thousand.get(i).getForecast().get("value").get(0);
            assertThat(large / 1000).as("forecast %d", i).isCloseTo(small, within(1e-6 * Math.abs(small) + 1e-9));
        }
    }

    @Test
    void forecastsFollowASeriesOfAnyLevel() {
        List<Forecast> forecasts = forecasts(1e6, 0, 200);

        Forecast last = forecasts.get(forecasts.size() - 1);
        assertThat(last.getForecast().get("value").get(0)).isCloseTo(1e6 * wave(200), within(1e6 * 3));
        assertThat(last.getAnomalyScore()).isLessThan(0.999);
    }

    @Test
    void storedStateCarriesTheFeatureStatistics() {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"))) {
            for (int i = 0; i < 30; i++) {
                harness.send("k", T0 + i * MINUTE, wave(i));
            }

            var stats = harness.stateStore().get("k").features();
            assertThat(stats.count()).isEqualTo(30);
            assertThat(stats.mean(0)).isBetween(15.0, 25.0);
        }
    }

    @Test
    void aGapKeepsTheKeysFeatureStatistics() {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"))) {
            for (int i = 0; i < 30; i++) {
                harness.send("k", T0 + i * MINUTE, wave(i));
            }
            harness.send("k", T0 + 29 * MINUTE + 2 * 86_400_000L, wave(30));

            Forecast afterGap = harness.forecastValues().get(30);
            assertThat(afterGap.getStateReset()).isEqualTo(StateReset.GAP);
            assertThat(harness.stateStore().get("k").features().count()).isEqualTo(31);
        }
    }

    @Test
    void aValueTooLargeForAKeysStatisticsIsDeadLetteredAndTheKeyGoesOn() {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"))) {
            harness.send("k", T0, 1e308);
            for (int i = 1; i <= 30; i++) {
                harness.send("k", T0 + i * MINUTE, wave(i));
            }
            harness.flush();

            List<TestRecord<byte[], byte[]>> deadLetters = harness.deadLetters();
            assertThat(deadLetters).hasSize(1);
            assertThat(TopologyHarness.header(deadLetters.get(0).headers(), DeadLetters.REASON_HEADER))
                    .isEqualTo("out-of-range");
            assertThat(TopologyHarness.header(deadLetters.get(0).headers(), DeadLetters.MESSAGE_HEADER))
                    .contains("1.0E308");
            assertThat(harness.forecastValues()).hasSize(30);
            assertThat(harness.stateStore().get("k").features().count()).isEqualTo(30);
        }
    }

    @Test
    void valuesAtTheLargestAcceptedMagnitudeLeaveAStateThatReadsBack() {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"))) {
            for (int i = 0; i < 40; i++) {
                harness.send("k", T0 + i * MINUTE, (i % 2 == 0 ? 1 : -1) * Forecaster.MAX_ABS_VALUE);
            }
            harness.flush();

            assertThat(harness.deadLetters()).isEmpty();
            assertThat(harness.forecastValues()).hasSize(40)
                    .allSatisfy(forecast -> assertThat(forecast.getForecast().get("value")).allMatch(Double::isFinite));
            assertThat(harness.stateStore().get("k").features().count()).isEqualTo(40);
        }
    }

    @Test
    void aValueWhoseDeviationOverflowsScoresOneInsteadOfFailing() {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"))) {
            for (int i = 0; i < 40; i++) {
                harness.send("k", T0 + i * MINUTE, 1e-12 * wave(i));
            }
            harness.send("k", T0 + 40 * MINUTE, Forecaster.MAX_ABS_VALUE);
            for (int i = 41; i < 50; i++) {
                harness.send("k", T0 + i * MINUTE, 1e-12 * wave(i));
            }
            harness.flush();

            assertThat(harness.deadLetters()).isEmpty();
            List<Forecast> forecasts = harness.forecastValues();
            assertThat(forecasts).hasSize(50);
            assertThat(forecasts.get(40).getAnomalyScore()).isEqualTo(1.0);
            assertThat(forecasts.subList(41, 50)).allSatisfy(forecast -> {
                assertThat(forecast.getAnomalyScore()).isBetween(0.0, 1.0);
                assertThat(forecast.getForecast().get("value")).allMatch(Double::isFinite);
            });
        }
    }
}
