package dev.grustream.topology;

import static dev.grustream.testing.TopologyHarness.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.Forecast;
import dev.grustream.testing.TestingModels;
import dev.grustream.testing.TopologyHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gauges of the keys named in {@code metrics.watched.keys}, and of no other key. */
class WatchedKeysTest {
    private static final long T0 = NOW.toEpochMilli() - 86_400_000;

    @Test
    void aWatchedKeysGaugesHoldItsLastObservationAndNextForecastWithBounds() {
        try (TopologyHarness harness = new TopologyHarness(TestingModels.persistence("1"),
                Map.of("metrics.watched.keys", "pump-1", "batch.max.size", "1"))) {
            for (int i = 0; i < 40; i++) {
                harness.send("pump-1", T0 + i * 60_000L, 10 + i % 4);
                harness.send("pump-2", T0 + i * 60_000L, 20);
            }
            harness.flush();

            List<Forecast> forecasts = harness.forecastValues();
            Forecast last = forecasts.stream().filter(f -> f.getKey().equals("pump-1")).reduce((a, b) -> b)
                    .orElseThrow();
            assertThat(harness.gauge("gru.watched.value", "key", "pump-1", "target", "value", "kind", "actual"))
                    .isEqualTo(13.0);
            assertThat(harness.gauge("gru.watched.value", "key", "pump-1", "target", "value", "kind", "forecast"))
                    .isEqualTo(last.getForecast().get("value").get(0));
            assertThat(harness.gauge("gru.watched.value", "key", "pump-1", "target", "value", "kind", "upper"))
                    .isEqualTo(last.getUpper().get("value").get(0));
            assertThat(harness.gauge("gru.watched.value", "key", "pump-1", "target", "value", "kind", "lower"))
                    .isEqualTo(last.getLower().get("value").get(0));
        }
    }

    @Test
    void aWatchedKeysGaugesAreEmptiedWhenItsTaskCloses() {
        TopologyHarness harness = new TopologyHarness(TestingModels.persistence("1"),
                Map.of("metrics.watched.keys", "pump-1", "batch.max.size", "1"));
        harness.send("pump-1", T0, 10);
        harness.flush();
        assertThat(harness.gauge("gru.watched.value", "key", "pump-1", "target", "value", "kind", "actual"))
                .isEqualTo(10.0);

        harness.close();

        assertThat(harness.gauge("gru.watched.value", "key", "pump-1", "target", "value", "kind", "actual")).isNaN();
    }

    @Test
    void keysNotWatchedHaveNoGauge() {
        try (TopologyHarness harness = new TopologyHarness(TestingModels.persistence("1"),
                Map.of("metrics.watched.keys", "pump-1"))) {
            harness.send("pump-2", T0, 20);
            harness.flush();

            assertThat(harness.forecastValues()).hasSize(1);
            assertThat(harness.hasMeter("gru.watched.value")).isFalse();
        }
    }
}
