package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.avro.StateReset;
import dev.grustream.serde.internals.CachingSchemaRegistryClient;

class AvroSerdeRoundTripTest {
    private static final String TOPIC = "forecasts";

    private String scope;
    private Map<String, Object> config;
    private SchemaRegistryClient registry;

    @BeforeEach
    void useOwnRegistryScope(TestInfo test) {
        scope = getClass().getSimpleName() + "." + test.getTestMethod().orElseThrow().getName();
        config = new HashMap<>(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope));
        registry = MockSchemaRegistry.clientForScope(scope);
    }

    @AfterEach
    void dropRegistryScope() {
        MockSchemaRegistry.dropScope(scope);
    }

    @Test
    void specificValueRoundTrips() {
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);
        Forecast forecast = TestRecords.forecast("sensor-1");

        byte[] bytes = serde.serializer().serialize(TOPIC, forecast);

        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(forecast);
    }

    @Test
    void specificKeyRoundTripsUnderTheKeySubject() {
        SpecificAvroSerde<Observation> serde = new SpecificAvroSerde<>(Observation.class);
        serde.configure(config, true);
        Observation observation = TestRecords.observation(0.5);

        byte[] bytes = serde.serializer().serialize(TOPIC, observation);

        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(observation);
        assertThat(registry.getLatestSchemaMetadata(TOPIC + "-key").schema()).isEqualTo(Observation.SCHEMA$);
    }

    @Test
    void theHalvesOfASerdeGivenAClientUseItWhenConfiguredOnTheirOwn() {
        SpecificAvroSerde<Observation> specific = new SpecificAvroSerde<>(Observation.class, registry);
        GenericAvroSerde generic = new GenericAvroSerde(registry);
        // No schema.registry.url: each half takes the client its serde was given, as Confluent's do.
        specific.serializer().configure(Map.of(), false);
        specific.deserializer().configure(Map.of(), false);
        generic.serializer().configure(Map.of(), false);
        Observation observation = TestRecords.observation(0.5);
        GenericRecord reading = TestRecords.reading("s-1", 21.5);

        byte[] bytes = specific.serializer().serialize(TOPIC, observation);
        generic.serializer().serialize("readings", reading);

        assertThat(specific.deserializer().deserialize(TOPIC, bytes)).isEqualTo(observation);
        assertThat(registry.getLatestSchemaMetadata("readings-value").schema()).isEqualTo(TestRecords.READING);
    }

    @Test
    void genericValueRoundTrips() {
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config, false);
        GenericRecord reading = TestRecords.reading("s-1", 21.5);

        GenericRecord back = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, reading));

        assertThat(back.getSchema()).isEqualTo(TestRecords.READING);
        assertThat(back.get("sensor")).hasToString("s-1");
        assertThat(back.get("value")).isEqualTo(21.5);
    }

    @Test
    void aGenericStringDeclaredAJavaStringKeepsItsBytesThatAreNotUtf8ForTheObservationReader() {
        Schema schema = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Sited\", \"fields\": ["
                + "{\"name\": \"site\", \"type\": {\"type\": \"string\", \"avro.java.string\": \"String\"}},"
                + "{\"name\": \"labels\", \"type\": {\"type\": \"map\", \"values\": \"double\","
                + " \"avro.java.string\": \"String\"}}]}");
        int id = registry.register(TOPIC + "-value", schema);
        Utf8 notUtf8 = new Utf8(new byte[] {(byte) 0xFE, 'a'});
        GenericRecord record = new GenericData.Record(schema);
        record.put("site", notUtf8);
        record.put("labels", Map.of(notUtf8, 1.0));

        config.put(AvroDeserializer.KEEP_STRING_BYTES, true);
        GenericRecord back = (GenericRecord) deserialize(config, TestRecords.framed(id,
                TestRecords.avroBody(schema, record)));

        assertThat(back.get("site")).isEqualTo(notUtf8);
        Map<?, ?> labels = (Map<?, ?>) back.get("labels");
        // Avro's writer writes a map key through toString(), so the key's bytes on the wire are valid UTF-8 here;
        // what matters is that they come back as bytes, as Utf8, for the observation reader to judge.
        assertThat(labels.keySet()).hasSize(1).allSatisfy(key -> assertThat(key).isInstanceOf(Utf8.class));
    }

    @Test
    void genericKeyRoundTripsUnderTheKeySubject() {
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config, true);
        GenericRecord reading = TestRecords.reading("s-2", -3.0);

        GenericRecord back = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, reading));

        assertThat(back).isEqualTo(reading);
        assertThat(registry.getLatestSchemaMetadata(TOPIC + "-key").schema()).isEqualTo(TestRecords.READING);
    }

    @Test
    void specificSerdeWithoutClassReadsTheClassTheWriterSchemaNames() {
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>();
        serde.configure(config, false);
        Forecast forecast = TestRecords.forecast("sensor-1");

        Forecast back = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, forecast));

        assertThat(back).isInstanceOf(Forecast.class).isEqualTo(forecast);
    }

    @Test
    void primitivesRoundTripAsTheirJavaTypes() {
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(config, true);
        AvroDeserializer deserializer = new AvroDeserializer();
        deserializer.configure(config, true);

        for (Object value : new Object[] {"sensor-1", 42, 42L, 1.5f, 2.5d, true}) {
            assertThat(deserializer.deserialize("primitives-" + value.getClass().getSimpleName(),
                    serializer.serialize("primitives-" + value.getClass().getSimpleName(), value))).isEqualTo(value);
        }
        assertThat((byte[]) deserializer.deserialize("bytes", serializer.serialize("bytes", new byte[] {1, 2, 3})))
                .containsExactly(1, 2, 3);
        assertThat((byte[]) deserializer.deserialize("buffer",
                serializer.serialize("buffer", ByteBuffer.wrap(new byte[] {4})))).containsExactly(4);
    }

    @Test
    void aTopLevelBytesValueIsTheWholeBodyWithoutALengthAsConfluentWritesIt() {
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(config, false);
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {9, 4, 1, 2});
        buffer.get();

        byte[] bytes = serializer.serialize("bytes", buffer);

        int id = registry.getId("bytes-value", Schema.create(Schema.Type.BYTES));
        assertThat(bytes).isEqualTo(TestRecords.framed(id, new byte[] {4, 1, 2}));
        assertThat(buffer.remaining()).isEqualTo(3);
    }

    @Test
    void aTopLevelBytesValueReadsAsTheWholeBody() {
        int id = registry.register("bytes-value", Schema.create(Schema.Type.BYTES));
        AvroDeserializer deserializer = new AvroDeserializer();
        deserializer.configure(config, false);

        Object value = deserializer.deserialize("bytes", TestRecords.framed(id, new byte[] {4, 1, 2}));

        assertThat((byte[]) value).containsExactly(4, 1, 2);
    }

    @Test
    void framesMagicByteThenRegisteredIdThenPlainAvroBody() {
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);
        Forecast forecast = TestRecords.forecast("sensor-1");

        byte[] bytes = serde.serializer().serialize(TOPIC, forecast);

        int id = registry.getId(TOPIC + "-value", Forecast.SCHEMA$);
        assertThat(bytes).isEqualTo(TestRecords.framed(id, TestRecords.avroBody(forecast)));
    }

    @Test
    void readsBytesFramedByHand() {
        int id = registry.register("anything", Forecast.SCHEMA$);
        Forecast forecast = TestRecords.forecast("sensor-9");
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);

        Forecast back = serde.deserializer().deserialize(TOPIC, TestRecords.framed(id,
                TestRecords.avroBody(forecast)));

        assertThat(back).isEqualTo(forecast);
    }

    @Test
    void topicNameStrategyRegistersUnderTopicKeyAndTopicValue() {
        serialize(config, true, TestRecords.observation(1.0));
        serialize(config, false, TestRecords.forecast("k"));

        assertThat(registry.getLatestSchemaMetadata(TOPIC + "-key").schema()).isEqualTo(Observation.SCHEMA$);
        assertThat(registry.getLatestSchemaMetadata(TOPIC + "-value").schema()).isEqualTo(Forecast.SCHEMA$);
    }

    @Test
    void recordNameStrategyRegistersUnderTheRecordFullName() {
        config.put(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG,
                "io.confluent.kafka.serializers.subject.RecordNameStrategy");
        config.put(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true);
        Forecast forecast = TestRecords.forecast("k");

        byte[] bytes = serialize(config, false, forecast);

        assertThat(registry.getLatestSchemaMetadata("dev.grustream.avro.Forecast").schema())
                .isEqualTo(Forecast.SCHEMA$);
        assertThat(deserialize(config, bytes)).isEqualTo(forecast);
    }

    @Test
    void topicRecordNameStrategyRegistersUnderTopicAndRecordFullName() {
        config.put(AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY_CONFIG, TopicRecordNameStrategy.class);
        config.put(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true);
        Observation observation = TestRecords.observation(2.0);

        byte[] bytes = serialize(config, true, observation);

        assertThat(registry.getLatestSchemaMetadata(TOPIC + "-dev.grustream.avro.Observation").schema())
                .isEqualTo(Observation.SCHEMA$);
        assertThat(deserialize(config, bytes)).isEqualTo(observation);
    }

    @Test
    void recordNameStrategiesRefuseAValueThatIsNotARecord() {
        AvroSerializer byRecordName = new AvroSerializer();
        byRecordName.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope,
                AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY_CONFIG, RecordNameStrategy.class), true);
        AvroSerializer byTopicAndRecordName = new AvroSerializer();
        byTopicAndRecordName.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope,
                AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, TopicRecordNameStrategy.class), false);

        assertThatThrownBy(() -> byRecordName.serialize(TOPIC, "sensor-1"))
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(AvroSerializationException.Reason.UNSUPPORTED_TYPE))
                .hasMessageContaining("key of topic 'forecasts' with RecordNameStrategy: its schema is a STRING");
        assertThatThrownBy(() -> byTopicAndRecordName.serialize(TOPIC, 42))
                .hasMessageContaining("value of topic 'forecasts' with TopicRecordNameStrategy: its schema is a INT");
        assertThatThrownBy(() -> registry.getLatestSchemaMetadata("string"))
                .isInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void genericDeserializerReturnsGenericRecordsByDefault() {
        byte[] bytes = serialize(config, false, TestRecords.forecast("k"));

        Object value = deserialize(config, bytes);

        assertThat(value).isInstanceOf(GenericData.Record.class).isNotInstanceOf(Forecast.class);
        assertThat(((GenericRecord) value).get("key")).hasToString("k");
    }

    @Test
    void genericDeserializerReturnsGeneratedClassWhenSpecificAvroReaderIsTrue() {
        Forecast forecast = TestRecords.forecast("k");
        byte[] bytes = serialize(config, false, forecast);
        config.put(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, "true");

        assertThat(deserialize(config, bytes)).isInstanceOf(Forecast.class).isEqualTo(forecast);
    }

    @Test
    void olderWriterSchemaIsResolvedToTheGeneratedClassWithDefaults() {
        GenericData.Record old = TestRecords.olderForecast("k");
        byte[] bytes = serialize(config, false, old);
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);

        Forecast back = serde.deserializer().deserialize(TOPIC, bytes);

        assertThat(back.getKey()).isEqualTo("k");
        assertThat(back.getEventTime()).isEqualTo(TestRecords.forecast("k").getEventTime());
        assertThat(back.getExpected()).isNull();
        assertThat(back.getStateReset()).isEqualTo(StateReset.NONE);
    }

    @Test
    void aWriterWhoseTimesAreInAnotherUnitIsASchemaMismatch() {
        Schema micros = new Schema.Parser().parse(Forecast.getClassSchema().toString()
                .replace("timestamp-millis", "timestamp-micros"));
        GenericData.Record written = new GenericData.Record(micros);
        Forecast forecast = TestRecords.forecast("k");
        for (Schema.Field field : micros.getFields()) {
            written.put(field.name(), forecast.get(field.name()));
        }
        written.put("event_time", forecast.getEventTime().toEpochMilli() * 1000);
        written.put("expected", null);
        byte[] bytes = serialize(config, false, written);
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(AvroSerializationException.Reason.SCHEMA_MISMATCH))
                .hasMessageContaining("Forecast.event_time is timestamp-micros in the writer's schema");
    }

    @Test
    void nullIsSerializedToNullAndBack() {
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);

        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void withoutAutoRegisterUsesTheIdAlreadyRegistered() {
        int id = registry.register(TOPIC + "-value", Forecast.SCHEMA$);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);

        byte[] bytes = serialize(config, false, TestRecords.forecast("k"));

        assertThat(ByteBuffer.wrap(bytes).getInt(1)).isEqualTo(id);
    }

    @Test
    void withoutAutoRegisterRejectsAnUnregisteredSchema() {
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);

        assertThatThrownBy(() -> serialize(config, false, TestRecords.forecast("k")))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> assertThat(e.reason())
                        .isEqualTo(AvroSerializationException.Reason.SCHEMA_REJECTED))
                .hasMessageContaining(TOPIC + "-value");
    }

    @Test
    void withoutAutoRegisterASchemaRegisteredFromItsAvscFileIsFoundWithoutTheJavaProperties() throws IOException {
        int id = registry.register(TOPIC + "-value", avscSchema(Forecast.SCHEMA$));
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
        config.put(AvroSerdeConfig.AVRO_REMOVE_JAVA_PROPS_CONFIG, true);
        Forecast forecast = TestRecords.forecast("k");

        byte[] bytes = serialize(config, false, forecast);

        assertThat(bytes).isEqualTo(TestRecords.framed(id, TestRecords.avroBody(forecast)));
    }

    /** As with Confluent's serializer: the generated class's schema carries avro.java.string, which the file lacks. */
    @Test
    void withoutAutoRegisterASchemaRegisteredFromItsAvscFileIsNotFoundWithTheJavaProperties() throws IOException {
        registry.register(TOPIC + "-value", avscSchema(Forecast.SCHEMA$));
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);

        assertThatThrownBy(() -> serialize(config, false, TestRecords.forecast("k")))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> assertThat(e.reason())
                        .isEqualTo(AvroSerializationException.Reason.SCHEMA_REJECTED));
    }

    @Test
    void autoRegisterWithoutTheJavaPropertiesRegistersTheAvscFilesSchema() throws IOException {
        config.put(AvroSerdeConfig.AVRO_REMOVE_JAVA_PROPS_CONFIG, true);

        serialize(config, false, TestRecords.forecast("k"));

        assertThat(registry.getLatestSchemaMetadata(TOPIC + "-value").schema().toString())
                .isEqualTo(avscSchema(Forecast.SCHEMA$).toString())
                .doesNotContain("avro.java.string");
    }

    /** The schema as its .avsc file in the schemas module writes it. */
    private static Schema avscSchema(Schema generated) throws IOException {
        String path = "/" + generated.getNamespace().replace('.', '/') + "/" + generated.getName() + ".avsc";
        try (var in = AvroSerdeRoundTripTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            Schema schema = new Schema.Parser().parse(in);
            assertThat(generated.toString()).as("the generated class's schema").contains("avro.java.string");
            return schema;
        }
    }

    @Test
    void rejectsASchemaIncompatibleWithTheSubject() {
        registry.register(TOPIC + "-value", Forecast.SCHEMA$);

        assertThatThrownBy(() -> serialize(config, false, TestRecords.reading("s", 1)))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AvroSerializationException.Reason.SCHEMA_REJECTED);
                    assertThat(e.getCause()).isInstanceOfSatisfying(SchemaRegistryException.class,
                            cause -> assertThat(cause.errorCode())
                                    .isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA));
                });
    }

    @Test
    void useLatestVersionWritesWithTheLatestIdWhenSchemasMatch() {
        int id = registry.register(TOPIC + "-value", Forecast.SCHEMA$);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);
        Forecast forecast = TestRecords.forecast("k");

        byte[] bytes = serialize(config, false, forecast);

        assertThat(bytes).isEqualTo(TestRecords.framed(id, TestRecords.avroBody(forecast)));
    }

    @Test
    void useLatestVersionWritesGenericAndSpecificValuesOfOneSchemaEachWithItsOwnWriter() throws IOException {
        int id = registry.register(TOPIC + "-value", Forecast.SCHEMA$);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);
        Forecast forecast = TestRecords.forecast("k");
        byte[] body = TestRecords.avroBody(forecast);
        GenericRecord generic = new GenericDatumReader<GenericRecord>(Forecast.SCHEMA$)
                .read(null, DecoderFactory.get().binaryDecoder(body, null));
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(config, false);

        byte[] fromGeneric = serializer.serialize(TOPIC, generic);
        byte[] fromSpecific = serializer.serialize(TOPIC, forecast);

        assertThat(fromGeneric).isEqualTo(TestRecords.framed(id, body));
        assertThat(fromSpecific).isEqualTo(TestRecords.framed(id, body));
    }

    @Test
    void useLatestVersionConvertsAnOlderValueToTheLatestSchema() {
        registry.register(TOPIC + "-value", TestRecords.FORECAST_WITHOUT_DEFAULTED_FIELDS);
        int latestId = registry.register(TOPIC + "-value", Forecast.SCHEMA$);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);
        GenericData.Record old = TestRecords.olderForecast("k");

        byte[] bytes = serialize(config, false, old);

        assertThat(ByteBuffer.wrap(bytes).getInt(1)).isEqualTo(latestId);
        GenericRecord back = (GenericRecord) deserialize(config, bytes);
        assertThat(back.getSchema()).isEqualTo(Forecast.SCHEMA$);
        assertThat(back.get("state_reset")).hasToString("NONE");
    }

    @Test
    void useLatestVersionRejectsAValueTheLatestSchemaCannotRead() {
        registry.register(TOPIC + "-value", TestRecords.READING);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);

        assertThatThrownBy(() -> serialize(config, false, TestRecords.forecast("k")))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> assertThat(e.reason())
                        .isEqualTo(AvroSerializationException.Reason.SCHEMA_MISMATCH));
    }

    @Test
    void valuesOfEverNewSchemasWrittenWithTheLatestVersionKeepABoundedNumberOfWriters() {
        Schema latest = SchemaBuilder.record("Reading").namespace("dev.grustream.test").fields()
                .requiredDouble("value").endRecord();
        registry.register(TOPIC + "-value", latest);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(config, false);
        int schemas = CachingSchemaRegistryClient.MAX_SCHEMAS_BY_ID + 500;

        for (int i = 0; i < schemas; i++) {
            Schema own = SchemaBuilder.record("Reading").namespace("dev.grustream.test").fields()
                    .requiredDouble("value").requiredInt("extra" + i).endRecord();
            GenericRecord reading = new GenericData.Record(own);
            reading.put("value", 1.5);
            reading.put("extra" + i, i);
            serializer.serialize(TOPIC, reading);
        }

        // Each own schema needs a writer and a conversion to the latest: without a bound, 2 per schema.
        assertThat(serializer.cachedWriters()).isLessThanOrEqualTo(2L * CachingSchemaRegistryClient.MAX_SCHEMAS_BY_ID);
    }

    @Test
    void withoutStrictLatestCompatibilityEachValueTheLatestSchemaCanReadIsWritten() {
        Schema latest = alarm("LOW", "HIGH");
        Schema own = alarm("LOW", "HIGH", "CRITICAL");
        int latestId = registry.register(TOPIC + "-value", latest);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);
        GenericRecord low = new GenericData.Record(own);
        low.put("level", new GenericData.EnumSymbol(own.getField("level").schema(), "LOW"));

        assertThatThrownBy(() -> serialize(config, false, low))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> assertThat(e.reason())
                        .isEqualTo(AvroSerializationException.Reason.SCHEMA_MISMATCH));

        config.put(AvroSerdeConfig.LATEST_COMPATIBILITY_STRICT_CONFIG, false);
        byte[] bytes = serialize(config, false, low);

        assertThat(ByteBuffer.wrap(bytes).getInt(1)).isEqualTo(latestId);
        assertThat(((GenericRecord) deserialize(config, bytes)).get("level")).hasToString("LOW");
    }

    private static Schema alarm(String... levels) {
        return SchemaBuilder.record("Alarm").namespace("dev.grustream.test").fields()
                .name("level").type().enumeration("Level").symbols(levels).noDefault().endRecord();
    }

    @Test
    void rejectsAValueAvroCannotWrite() {
        assertThatThrownBy(() -> serialize(config, false, new Object()))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> assertThat(e.reason())
                        .isEqualTo(AvroSerializationException.Reason.UNSUPPORTED_TYPE))
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void rejectsARecordThatBreaksItsOwnSchemaAndRecovers() {
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(config, false);
        GenericRecord broken = TestRecords.reading(null, 1.0);
        GenericRecord valid = TestRecords.reading("s", 2.0);

        assertThatThrownBy(() -> serializer.serialize(TOPIC, broken))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> assertThat(e.reason())
                        .isEqualTo(AvroSerializationException.Reason.INVALID_DATUM))
                .hasMessageContaining("Reading");
        assertThat(deserialize(config, serializer.serialize(TOPIC, valid))).isEqualTo(valid);
    }

    @Test
    void unconfiguredSerializerSaysSo() {
        assertThatThrownBy(() -> new AvroSerializer().serialize(TOPIC, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure");
    }

    private static byte[] serialize(Map<String, Object> config, boolean isKey, Object value) {
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(config, isKey);
        return serializer.serialize(TOPIC, value);
    }

    private static Object deserialize(Map<String, Object> config, byte[] bytes) {
        AvroDeserializer deserializer = new AvroDeserializer();
        deserializer.configure(config, false);
        return deserializer.deserialize(TOPIC, bytes);
    }
}
