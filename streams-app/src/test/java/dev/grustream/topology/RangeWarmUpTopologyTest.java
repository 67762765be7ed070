package dev.grustream.topology;

import static dev.grustream.testing.TopologyHarness.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import dev.grustream.testing.TopologyHarness;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A new key's first daily cycle, five minutes apart, under the bundled model and the default rules. */
class RangeWarmUpTopologyTest {
    private static final long FIVE_MINUTES = 300_000;
    private static final int DAY = 288;
    private static final long T0 = NOW.toEpochMilli() - 5 * 86_400_000L;
    private static GruModel model;

    @BeforeAll
    static void loadModel() {
        model = ModelSource.bundled();
    }

    /** A daily cycle from 80 to 120 with a little noise-like wobble. */
    private static double daily(int i) {
        return 100 + 20 * Math.sin(2 * Math.PI * i / DAY) + 2 * Math.sin(i * 1.7);
    }

    @Test
    void aNewKeyClimbingToItsFirstDailyHighsAndLowsRaisesNoAlert() {
        try (TopologyHarness harness = new TopologyHarness(model)) {
            for (int i = 0; i < DAY; i++) {
                harness.send("new", T0 + i * FIVE_MINUTES, daily(i));
            }
            harness.flush();

            assertThat(harness.forecastValues()).hasSize(DAY);
            assertThat(harness.alerts()).isEmpty();
        }
    }

    @Test
    void aSpikeBeyondTheRangeByMoreThanItsWidthAlertsOnTheFirstDay() {
        try (TopologyHarness harness = new TopologyHarness(model)) {
            for (int i = 0; i < DAY; i++) {
                harness.send("new", T0 + i * FIVE_MINUTES, daily(i) + (i == 150 ? 90.0 : 0.0));
            }
            harness.flush();

            assertThat(harness.alerts()).extracting(AnomalyAlert::getEventTime)
                    .extracting(Instant::toEpochMilli).containsExactly(T0 + 150 * FIVE_MINUTES);
        }
    }

    @Test
    void withoutTheWarmUpTimeTheFirstDaysNewHighsAndLowsAlert() {
        try (TopologyHarness harness = new TopologyHarness(model,
                Map.of(GruStreamConfig.ANOMALY_RANGE_WARMUP_MS, "0"))) {
            for (int i = 0; i < DAY; i++) {
                harness.send("new", T0 + i * FIVE_MINUTES, daily(i));
            }
            harness.flush();

            assertThat(harness.alerts()).isNotEmpty();
        }
    }
}
