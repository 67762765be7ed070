package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.testing.TestingModels;
import dev.grustream.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

/** Outcomes that cannot be written: no input record is to blame, so none is dead-lettered for it. */
class OutputFailuresTest {
    private static final long T0 = TopologyHarness.NOW.toEpochMilli() - 3_600_000;

    @Test
    void anOutputTheRegistryRefusesFailsTheTaskInsteadOfDeadLetteringTheRecordAtHand() {
        // JSON in, so that only the outputs need the registry; their subjects are not registered and may not be.
        try (TopologyHarness harness = new TopologyHarness(TestingModels.persistence("1"),
                Map.of("input.format", "json", "auto.register.schemas", "false", "batch.max.size", "1"))) {
            Throwable failure = catchThrowable(() -> harness.sendRaw("k".getBytes(StandardCharsets.UTF_8),
                    "{\"value\": 10}".getBytes(StandardCharsets.UTF_8)));

            assertThat(failure).isInstanceOf(StreamsException.class)
                    .hasRootCauseInstanceOf(SchemaRegistryException.class)
                    .hasStackTraceContaining("SCHEMA_REJECTED: cannot find schema dev.grustream.avro.Forecast under"
                            + " subject 'forecasts-value'");
            assertThat(harness.deadLetters()).isEmpty();
        }
    }

    @Test
    void aBatchWhoseOutputsFailFailsTheTaskUnderAProcessingHandlerThatWouldContinue() {
        try (TopologyHarness harness = new TopologyHarness(TestingModels.persistence("1"),
                Map.of("input.format", "json", "auto.register.schemas", "false", "batch.max.size", "1",
                        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                        LogAndContinueProcessingExceptionHandler.class.getName()))) {
            Throwable failure = catchThrowable(() -> harness.sendRaw("k".getBytes(StandardCharsets.UTF_8),
                    "{\"value\": 10}".getBytes(StandardCharsets.UTF_8)));

            assertThat(failure).isInstanceOf(StreamsException.class).hasRootCauseInstanceOf(
                    SchemaRegistryException.class);
        }
    }

    @Test
    void anAlertOnAKeysFirstObservationHasNoExpectedValues() {
        try (TopologyHarness harness = new TopologyHarness(TestingModels.persistence("1"),
                Map.of("anomaly.threshold", "0", "anomaly.critical.threshold", "0", "alert.warmup.events", "0",
                        "batch.max.size", "1"))) {
            harness.send("k", T0, 10);

            assertThat(harness.deadLetters()).isEmpty();
            assertThat(harness.forecastValues()).hasSize(1);
            assertThat(harness.alerts()).singleElement().extracting(AnomalyAlert::getExpected)
                    .isEqualTo(Map.of());
        }
    }
}
