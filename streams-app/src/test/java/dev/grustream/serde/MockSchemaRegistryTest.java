package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.avro.generic.GenericData;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.grustream.avro.Forecast;

class MockSchemaRegistryTest {
    private static final String TOPIC = "forecasts";
    private static final String SCOPE_A = MockSchemaRegistryTest.class.getSimpleName() + "-a";
    private static final String SCOPE_B = MockSchemaRegistryTest.class.getSimpleName() + "-b";

    @AfterEach
    void dropScopes() {
        MockSchemaRegistry.dropScope(SCOPE_A);
        MockSchemaRegistry.dropScope(SCOPE_B);
    }

    @Test
    void serdesOfOneScopeShareItsRegistry() {
        byte[] bytes = serde(SCOPE_A).serializer().serialize(TOPIC, TestRecords.forecast("k"));

        assertThat(serde(SCOPE_A).deserializer().deserialize(TOPIC, bytes)).isEqualTo(TestRecords.forecast("k"));
    }

    @Test
    void scopesAreIsolated() {
        byte[] bytes = serde(SCOPE_A).serializer().serialize(TOPIC, TestRecords.forecast("k"));

        assertThatThrownBy(() -> serde(SCOPE_B).deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> assertThat(e.reason())
                        .isEqualTo(AvroSerializationException.Reason.UNKNOWN_SCHEMA_ID));
    }

    @Test
    void droppingAScopeForgetsItsSchemas() {
        int id = MockSchemaRegistry.clientForScope(SCOPE_A).register("subject", Forecast.SCHEMA$);

        MockSchemaRegistry.dropScope(SCOPE_A);

        assertThatThrownBy(() -> MockSchemaRegistry.clientForScope(SCOPE_A).getSchemaById(id))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }

    @Test
    void aScopeHasOneClient() {
        assertThat(MockSchemaRegistry.clientForScope(SCOPE_A)).isSameAs(MockSchemaRegistry.clientForScope(SCOPE_A))
                .isNotSameAs(MockSchemaRegistry.clientForScope(SCOPE_B));
    }

    @Test
    void aScopeChecksBackwardCompatibility() {
        SchemaRegistryClient registry = MockSchemaRegistry.clientForScope(SCOPE_A);
        registry.register("readings", TestRecords.READING);

        assertThat(registry.testCompatibility("readings", Forecast.SCHEMA$)).isFalse();
        assertThatThrownBy(() -> registry.register("readings", Forecast.SCHEMA$))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                });
    }

    @Test
    void eachSerializerOfAScopePinsTheLatestVersionItMet() {
        SchemaRegistryClient registry = MockSchemaRegistry.clientForScope(SCOPE_A);
        int first = registry.register(TOPIC + "-value", TestRecords.FORECAST_WITHOUT_DEFAULTED_FIELDS);
        Map<String, Object> latest = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + SCOPE_A,
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false, AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);
        AvroSerializer before = new AvroSerializer();
        before.configure(latest, false);
        before.serialize(TOPIC, TestRecords.forecast("k"));
        int second = registry.register(TOPIC + "-value", Forecast.SCHEMA$);
        AvroSerializer after = new AvroSerializer();
        after.configure(latest, false);

        assertThat(schemaIdOf(after.serialize(TOPIC, TestRecords.forecast("k")))).isEqualTo(second);
        assertThat(schemaIdOf(before.serialize(TOPIC, TestRecords.forecast("k")))).isEqualTo(first);
    }

    @Test
    void aSerdeOfAScopeWithRoomForOneSchemaPerSubjectStillWritesTwo() {
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + SCOPE_A,
                AvroSerdeConfig.MAX_SCHEMAS_PER_SUBJECT_CONFIG, 1), false);
        int current = schemaIdOf(serializer.serialize(TOPIC, TestRecords.forecast("k")));
        GenericData.Record old = TestRecords.olderForecast("k");

        int older = schemaIdOf(serializer.serialize(TOPIC, old));

        assertThat(schemaIdOf(serializer.serialize(TOPIC, TestRecords.forecast("k")))).isEqualTo(current);
        assertThat(older).isNotEqualTo(current);
    }

    private static int schemaIdOf(byte[] framed) {
        return ByteBuffer.wrap(framed).getInt(1);
    }

    private static SpecificAvroSerde<Forecast> serde(String scope) {
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope), false);
        return serde;
    }
}
