package dev.grustream.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Flatten;
import org.junit.jupiter.api.Test;

/**
 * Forecast records as a Kafka Connect sink pipeline sees them: Connect's own JSON converter (schemaless, as for
 * {@code output.format=json}) and its {@code Flatten} transform, the step sinks such as the JDBC sink rely on.
 */
class ConnectSinkCompatibilityTest {

    private static Object throughConverterAndFlatten(byte[] json) {
        try (JsonConverter converter = new JsonConverter(); Flatten.Value<SinkRecord> flatten = new Flatten.Value<>()) {
            converter.configure(Map.of("schemas.enable", "false"), false);
            flatten.configure(Map.of());
            SchemaAndValue value = converter.toConnectData("forecasts", json);
            return flatten.apply(new SinkRecord("forecasts", 0, null, "k", value.schema(), value.value(), 0)).value();
        }
    }

    @Test
    void aFlatForecastPassesFlattenUnchangedWithScalarValuesOnly() {
        Map<String, Object> fields = new FlatRecords().forecastFields(FlatRecordsTest.forecast());

        Object value = throughConverterAndFlatten(JsonRecords.write(fields));

        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> flattened = (Map<String, Object>) value;
        assertThat(flattened.keySet()).containsExactlyInAnyOrderElementsOf(fields.keySet());
        assertThat(flattened.values()).allSatisfy(field -> assertThat(field)
                .satisfiesAnyOf(scalar -> assertThat(scalar).isNull(),
                        scalar -> assertThat(scalar).isInstanceOfAny(String.class, Number.class, Boolean.class)));
        assertThat(flattened.get("cpu_load_h1")).isEqualTo(1.0);
        assertThat(flattened.get("cpu_load_h1_lower")).isEqualTo(0.5);
        assertThat(flattened.get("event_time")).isEqualTo(1_000L);
    }

    @Test
    void theNestedForecastKeepsItsArraysThroughFlatten() {
        Object value = throughConverterAndFlatten(JsonRecords.of(FlatRecordsTest.forecast()));

        // Flatten lifts the maps' entries to top-level fields but passes arrays through: one list per target and
        // bound, which a column-per-field sink such as the JDBC sink cannot store. Hence output.layout=flat.
        assertThat(value).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) value).get("forecast.cpu.load")).isEqualTo(List.of(1.0, 2.0));
    }
}
