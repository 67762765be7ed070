package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.common.errors.SerializationException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.grustream.avro.Forecast;
import dev.grustream.serde.AvroSerializationException.Reason;

class AvroDeserializerMalformedInputTest {
    private static final String TOPIC = "observations";

    private String scope;
    private Map<String, Object> config;
    private SchemaRegistryClient registry;
    private SpecificAvroSerde<Forecast> serde;

    @BeforeEach
    void useOwnRegistryScope(TestInfo test) {
        scope = getClass().getSimpleName() + "." + test.getTestMethod().orElseThrow().getName();
        config = new HashMap<>(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope));
        registry = MockSchemaRegistry.clientForScope(scope);
        serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);
    }

    @AfterEach
    void dropRegistryScope() {
        MockSchemaRegistry.dropScope(scope);
    }

    @Test
    void rejectsWrongMagicByte() {
        byte[] json = "{\"key\": \"k\"}".getBytes(StandardCharsets.UTF_8);

        assertBadRecord(() -> deserialize(json), Reason.WRONG_MAGIC_BYTE, AvroSerializationException.NO_SCHEMA_ID)
                .hasMessageContaining("expected magic byte 0x00, found 0x7b")
                .hasMessageContaining(TOPIC);
    }

    @Test
    void rejectsEmptyBytesAsTruncated() {
        assertBadRecord(() -> deserialize(new byte[0]), Reason.TRUNCATED, AvroSerializationException.NO_SCHEMA_ID)
                .hasMessageContaining("found 0 byte(s)");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void rejectsTruncatedHeader(int length) {
        byte[] valid = serde.serializer().serialize(TOPIC, TestRecords.forecast("k"));

        assertBadRecord(() -> deserialize(Arrays.copyOf(valid, length)), Reason.TRUNCATED,
                AvroSerializationException.NO_SCHEMA_ID)
                .hasMessageContaining("header alone needs 5");
    }

    @Test
    void rejectsUnknownSchemaId() {
        byte[] bytes = TestRecords.framed(4711, TestRecords.avroBody(TestRecords.forecast("k")));

        assertBadRecord(() -> deserialize(bytes), Reason.UNKNOWN_SCHEMA_ID, 4711)
                .hasMessageContaining("no schema id 4711");
    }

    @Test
    void rejectsTruncatedBody() {
        byte[] valid = serde.serializer().serialize(TOPIC, TestRecords.forecast("k"));
        int id = registry.getId(TOPIC + "-value", Forecast.SCHEMA$);

        assertBadRecord(() -> deserialize(Arrays.copyOf(valid, valid.length - 3)), Reason.TRUNCATED, id)
                .hasMessageContaining("ends before the record");
    }

    @Test
    void rejectsBodyWithBytesLeftOver() {
        byte[] valid = serde.serializer().serialize(TOPIC, TestRecords.forecast("k"));
        int id = registry.getId(TOPIC + "-value", Forecast.SCHEMA$);

        assertBadRecord(() -> deserialize(Arrays.copyOf(valid, valid.length + 2)), Reason.MALFORMED_BODY, id)
                .hasMessageContaining("left over");
    }

    @Test
    void rejectsBodyWrittenWithAnotherSchemaThanItsHeaderSays() {
        int readingId = registry.register("readings-value", TestRecords.READING);
        byte[] forecastBody = TestRecords.avroBody(TestRecords.forecast("a-long-enough-key"));
        AvroDeserializer generic = new AvroDeserializer();
        generic.configure(config, false);

        assertThatThrownBy(() -> generic.deserialize(TOPIC, TestRecords.framed(readingId, forecastBody)))
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> {
                    assertThat(e.reason()).isIn(Reason.MALFORMED_BODY, Reason.TRUNCATED);
                    assertThat(e.schemaId()).isEqualTo(readingId);
                });
    }

    @Test
    void rejectsBodyWrittenWithAnIncompatibleSchema() {
        Schema incompatible = new Schema.Parser().parse("""
                {"type": "record", "name": "Forecast", "namespace": "dev.grustream.avro",
                 "fields": [{"name": "key", "type": "int"}]}""");
        int id = registry.register("elsewhere", incompatible);
        GenericData.Record record = new GenericData.Record(incompatible);
        record.put("key", 7);

        assertBadRecord(() -> deserialize(TestRecords.framed(id, TestRecords.avroBody(incompatible, record))),
                Reason.SCHEMA_MISMATCH, id)
                .hasMessageContaining("cannot be read as dev.grustream.avro.Forecast");
    }

    @Test
    void rejectsWriterRecordWithoutGeneratedClassWhenReadingSpecific() {
        int id = registry.register("readings-value", TestRecords.READING);
        byte[] bytes = TestRecords.framed(id, TestRecords.avroBody(TestRecords.READING, TestRecords.reading("s", 1)));
        SpecificAvroSerde<Forecast> anyClass = new SpecificAvroSerde<>();
        anyClass.configure(config, false);

        assertThatThrownBy(() -> anyClass.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_MISMATCH))
                .hasMessageContaining("no generated SpecificRecord class dev.grustream.test.Reading");
    }

    @Test
    void genericRecordSerdeRejectsAWriterSchemaThatIsNotARecord() {
        int id = registry.register("strings", Schema.create(Schema.Type.STRING));
        byte[] bytes = TestRecords.framed(id, TestRecords.avroBody(Schema.create(Schema.Type.STRING), "text"));
        GenericAvroSerde generic = new GenericAvroSerde();
        generic.configure(config, false);

        assertThatThrownBy(() -> generic.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_MISMATCH))
                .hasMessageContaining("STRING");
    }

    @Test
    void rejectsAStringLongerThanTheBodyBeforeAllocatingIt() {
        int id = registry.register("strings", Schema.create(Schema.Type.STRING));
        // Zig-zag varint of 2^30: a string that claims a gigabyte in a 5-byte body.
        byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        AvroDeserializer generic = new AvroDeserializer();
        generic.configure(config, false);

        assertBadRecord(() -> generic.deserialize(TOPIC, TestRecords.framed(id, body)), Reason.TRUNCATED, id)
                .hasMessageContaining("1073741824 bytes cannot fit in a body of 5");
    }

    @Test
    void rejectsAMapOfMoreEntriesThanTheBodyHasBytes() {
        Schema map = new Schema.Parser().parse("{\"type\": \"map\", \"values\": \"double\"}");
        int id = registry.register("maps", map);
        byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        AvroDeserializer generic = new AvroDeserializer();
        generic.configure(config, false);

        assertBadRecord(() -> generic.deserialize(TOPIC, TestRecords.framed(id, body)), Reason.TRUNCATED, id)
                .hasMessageContaining("1073741824 items cannot fit");
    }

    @Test
    void rejectsARecordNestedDeeperThanTheStackAsMalformed() {
        Schema node = new Schema.Parser().parse("""
                {"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}""");
        int id = registry.register("nodes", node);
        // Each byte 0x02 (union branch 1) opens one more Node; the last 0x00 closes them all with a null.
        byte[] body = new byte[1_000_001];
        Arrays.fill(body, 0, body.length - 1, (byte) 0x02);
        AvroDeserializer generic = new AvroDeserializer();
        generic.configure(config, false);

        assertBadRecord(() -> generic.deserialize(TOPIC, TestRecords.framed(id, body)), Reason.MALFORMED_BODY, id)
                .hasMessageContaining("StackOverflowError");
    }

    @Test
    void rejectsANegativeLength() {
        int id = registry.register("strings", Schema.create(Schema.Type.STRING));
        AvroDeserializer generic = new AvroDeserializer();
        generic.configure(config, false);

        assertBadRecord(() -> generic.deserialize(TOPIC, TestRecords.framed(id, new byte[] {0x01})),
                Reason.MALFORMED_BODY, id);
    }

    @Test
    void aBadRecordDoesNotSpoilTheNextGoodOne() {
        byte[] valid = serde.serializer().serialize(TOPIC, TestRecords.forecast("k"));

        assertThatThrownBy(() -> deserialize(Arrays.copyOf(valid, valid.length - 1)))
                .isInstanceOf(AvroSerializationException.class);
        assertThat(deserialize(valid)).isEqualTo(TestRecords.forecast("k"));
    }

    @Test
    void unreachableRegistryIsNotABadRecord() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SpecificAvroSerde<Forecast> offline = new SpecificAvroSerde<>(Forecast.class);
        offline.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:" + closedPort,
                AvroSerdeConfig.SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, 2_000), false);
        byte[] bytes = TestRecords.framed(1, TestRecords.avroBody(TestRecords.forecast("k")));

        assertThatThrownBy(() -> offline.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .isNotInstanceOf(SerializationException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort);
    }

    private Forecast deserialize(byte[] bytes) {
        return serde.deserializer().deserialize(TOPIC, bytes);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertBadRecord(
            ThrowingCallable call, Reason reason, int schemaId) {
        return assertThatThrownBy(call)
                .isInstanceOf(SerializationException.class)
                .isInstanceOfSatisfying(AvroSerializationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.schemaId()).isEqualTo(schemaId);
                })
                .hasMessageStartingWith(reason.name());
    }
}
