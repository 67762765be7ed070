package dev.grustream.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.avro.AlertRule;
import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Severity;
import dev.grustream.avro.StateReset;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlatRecordsTest {
    static Forecast forecast() {
        return Forecast.newBuilder().setKey("k").setEventTime(Instant.ofEpochMilli(1_000)).setModelName("m")
                .setModelVersion("3").setForecast(Map.of("cpu.load", List.of(1.0, 2.0)))
                .setLower(Map.of("cpu.load", Arrays.asList(0.5, null))).setUpper(Map.of("cpu.load",
                        Arrays.asList(1.5, null)))
                .setActual(Map.of("cpu.load", 0.9)).setExpected(null).setAnomalyScore(0.25).setAnomalous(false)
                .setStep(7).setStateReset(StateReset.NONE).build();
    }

    @Test
    void aForecastBecomesOneFieldPerTargetAndStep() {
        GenericRecord record = new FlatRecords().forecast(forecast());

        assertThat(record.getSchema().getFields()).extracting(Schema.Field::name).containsExactly("key",
                "event_time", "model_name", "model_version", "anomaly_score", "anomalous", "step", "state_reset",
                "cpu_load_actual", "cpu_load_expected", "cpu_load_h1", "cpu_load_h1_lower", "cpu_load_h1_upper",
                "cpu_load_h2", "cpu_load_h2_lower", "cpu_load_h2_upper");
        assertThat(record.get("event_time")).isEqualTo(1_000L);
        assertThat(record.get("cpu_load_h1_lower")).isEqualTo(0.5);
        assertThat(record.get("cpu_load_h2_upper")).isNull();
        assertThat(record.get("cpu_load_expected")).isNull();
    }

    @Test
    void anAlertBecomesOneFieldPerTargetWithTheRuleThatFlaggedIt() {
        GenericRecord record = new FlatRecords().alert(AnomalyAlert.newBuilder().setKey("k")
                .setEventTime(Instant.ofEpochMilli(1_000)).setActual(Map.of("cpu.load", 0.99))
                .setExpected(Map.of("cpu.load", 0.3)).setAnomalyScore(1.0).setThreshold(0.999)
                .setSeverity(Severity.CRITICAL).setRule(AlertRule.RANGE).setModelName("m").setModelVersion("3")
                .build());

        assertThat(record.getSchema().getFields()).extracting(Schema.Field::name).containsExactly("key",
                "event_time", "anomaly_score", "threshold", "severity", "rule", "model_name", "model_version",
                "cpu_load_actual", "cpu_load_expected");
        assertThat(record.get("rule")).isEqualTo("RANGE");
        assertThat(record.getSchema().getField("rule").hasDefaultValue()).isTrue();
    }

    @Test
    void everyPerTargetFieldIsOptionalSoAnotherHorizonIsACompatibleSchema() {
        Schema schema = new FlatRecords().forecast(forecast()).getSchema();

        assertThat(schema.getFields()).filteredOn(field -> field.name().startsWith("cpu_load"))
                .isNotEmpty().allSatisfy(field -> assertThat(field.hasDefaultValue()).as(field.name()).isTrue());
    }

    /**
     * The flat schemas as first published, for one target and a horizon of 2 (src/test/resources/flat): sinks whose
     * readers hold them read what is written now, and a reader of now reads what they wrote.
     */
    @ParameterizedTest
    @ValueSource(strings = {"FlatForecast", "FlatAnomalyAlert"})
    void aFlatSchemaAndItsFirstPublishedVersionReadEachOther(String name) throws IOException {
        FlatRecords flat = new FlatRecords();
        Schema current = name.equals("FlatForecast") ? flat.forecast(forecast()).getSchema()
                : flat.alert(AnomalyAlert.newBuilder().setKey("k").setEventTime(Instant.ofEpochMilli(1_000))
                        .setActual(Map.of("cpu.load", 0.99)).setExpected(Map.of("cpu.load", 0.3))
                        .setAnomalyScore(0.9999).setThreshold(0.999).setSeverity(Severity.CRITICAL)
                        .setRule(AlertRule.INTERVAL).setModelName("m").setModelVersion("3").build()).getSchema();
        Schema published;
        try (InputStream in = FlatRecordsTest.class.getResourceAsStream("/flat/" + name + "-v1.avsc")) {
            published = new Schema.Parser().parse(in);
        }

        assertThat(current.getFullName()).isEqualTo(published.getFullName());
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(published, current).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, published).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void targetsThatWouldShareTheirFieldsAreRefused() {
        assertThatThrownBy(() -> FlatRecords.checkTargets(List.of("cpu.load", "cpu_load")))
                .hasMessageContaining("'cpu.load' and 'cpu_load'");
        FlatRecords.checkTargets(List.of("cpu", "mem"));
        assertThat(FlatRecords.fieldName("1m")).isEqualTo("_1m");
    }

    @Test
    void targetsThatDifferOnlyByCaseAreRefused() {
        assertThatThrownBy(() -> FlatRecords.checkTargets(List.of("CPU", "cpu")))
                .hasMessageContaining("'CPU' and 'cpu'").hasMessageContaining("ignore case");
    }
}
