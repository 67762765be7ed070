package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

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

    private static SpecificAvroSerde<Forecast> serde(String scope) {
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope), false);
        return serde;
    }
}
