package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.config.GruStreamConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The topology contract with a small batch (7 observations, so batches fill, overflow and straddle keys), plus
 * what is specific to batching.
 */
class BatchedTopologyTest extends ForecastTopologyContract {
    @Override
    Map<String, String> batchSettings() {
        return Map.of(GruStreamConfig.BATCH_MAX_SIZE, "7", GruStreamConfig.BATCH_LINGER_MS, "5");
    }

    @Test
    void bufferedObservationsWaitForTheLinger() {
        harness.send("a", T0, 1.0);
        harness.send("b", T0, 2.0);

        assertThat(harness.forecastValues()).isEmpty();
        harness.flush();
        assertThat(harness.forecastValues()).hasSize(2);
    }

    @Test
    void aFullBufferIsProcessedWithoutWaiting() {
        for (int i = 0; i < 7; i++) {
            harness.send("k" + i, T0, i);
        }

        assertThat(harness.forecastValues()).hasSize(7);
    }

    @Test
    void aKeySeenSeveralTimesInOneBatchIsAdvancedInArrivalOrder() {
        for (int i = 0; i < 6; i++) {
            harness.send("a", T0 + i * MINUTE, steady(i));
        }
        harness.flush();

        assertThat(harness.forecastValues()).extracting(f -> f.getStep()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void modelCallsAdvanceManyKeysAtOnce() {
        for (int i = 0; i < 7; i++) {
            harness.send("k" + i, T0, i);
        }

        assertThat(harness.counter("gru.forecasts")).isEqualTo(7);
        assertThat(harness.timer("gru.model.step").count()).as("model calls").isEqualTo(1);
    }

    @Test
    void outputsAreThoseOfObservationsAdvancedOneByOne() {
        harness.close();
        harness = startWithMemory(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        sendThreeKeys();
        Map<String, List<Forecast>> oneByOne = byKey(harness.forecastValues());
        List<AnomalyAlert> alertsOneByOne = harness.alerts();
        assertThat(alertsOneByOne).as("c's spike").isNotEmpty();

        harness.close();
        harness = startWithMemory(batchSettings());
        sendThreeKeys();

        assertThat(byKey(harness.forecastValues())).isEqualTo(oneByOne).containsOnlyKeys("a", "b", "c");
        assertThat(harness.alerts()).containsExactlyInAnyOrderElementsOf(alertsOneByOne);
    }

    /** Each key's forecasts in order: batching may interleave keys differently, never reorder a key's own. */
    private static Map<String, List<Forecast>> byKey(List<Forecast> forecasts) {
        return forecasts.stream().collect(Collectors.groupingBy(Forecast::getKey, Collectors.toList()));
    }
}
