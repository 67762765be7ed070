package dev.grustream.topology;

import static dev.grustream.testing.TopologyHarness.NOW;
import static dev.grustream.testing.TopologyHarness.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grustream.avro.Forecast;
import dev.grustream.serde.GenericAvroSerde;
import dev.grustream.testing.TestingModels;
import dev.grustream.testing.TopologyHarness;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The production topology reading JSON and generic Avro observations and writing flat and JSON records. */
class InputOutputFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = NOW.toEpochMilli() - 86_400_000;
    private static final long MINUTE = 60_000;
    /** A Telegraf-style metric: {"name": ..., "tags": {"host": ...}, "fields": {"usage": ...}, "timestamp": s}. */
    private static final Map<String, String> TELEGRAF = Map.of("input.format", "json",
            "input.key.fields", "tags.host,name", "input.time.field", "timestamp",
            "input.features", "value=fields.usage", "batch.max.size", "1");

    private TopologyHarness harness;

    @AfterEach
    void close() {
        harness.close();
    }

    /** Sends {@code record} as the value of a record without key, through the registry as avro-generic reads it. */
    private void sendGeneric(GenericRecord record, long timestamp) {
        try (GenericAvroSerde serde = harness.genericSerde()) {
            harness.sendRaw(null, serde.serializer().serialize("observations", record), timestamp);
        }
    }

    private void assertOneForecast(String key, double value) {
        assertThat(harness.forecastValues()).singleElement().satisfies(forecast -> {
            assertThat(forecast.getKey()).isEqualTo(key);
            assertThat(forecast.getActual()).containsEntry("value", value);
        });
    }

    private static byte[] telegraf(String host, long epochSeconds, String usage) {
        return ("{\"name\":\"cpu\",\"tags\":{\"host\":\"" + host + "\"},\"fields\":{\"usage\":" + usage
                + "},\"timestamp\":" + epochSeconds + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void jsonObservationsAreReadThroughTheMapping() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);

        harness.sendRaw("ignored", telegraf("web-1", T0 / 1000, "12.5"), NOW.toEpochMilli());
        harness.sendRaw(null, telegraf("web-1", T0 / 1000 + 60, "\"13.5\""), NOW.toEpochMilli());
        harness.flush();

        List<TestRecord<String, Forecast>> forecasts = harness.forecasts();
        assertThat(forecasts).hasSize(2).allSatisfy(record -> assertThat(record.key()).isEqualTo("web-1/cpu"));
        assertThat(forecasts.get(0).value().getEventTime().toEpochMilli()).isEqualTo(T0);
        assertThat(forecasts.get(1).value().getEventTime().toEpochMilli()).isEqualTo(T0 + MINUTE);
        assertThat(forecasts.get(1).value().getActual()).containsEntry("value", 13.5);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void withoutATimeFieldTheRecordTimestampIsTheEventTime() {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("input.format", "json"));

        harness.sendRaw("k", "{\"value\": 3}".getBytes(StandardCharsets.UTF_8), T0);
        harness.flush();

        List<Forecast> forecasts = harness.forecastValues();
        assertThat(forecasts).hasSize(1);
        assertThat(forecasts.get(0).getKey()).isEqualTo("k");
        assertThat(forecasts.get(0).getEventTime().toEpochMilli()).isEqualTo(T0);
    }

    @Test
    void eachJsonValueTheMappingCannotReadIsDeadLetteredWithItsReason() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);
        Map<String, byte[]> bad = Map.of(
                "undecodable", "{\"name\": ".getBytes(StandardCharsets.UTF_8),
                "missing-field", "{\"name\":\"cpu\",\"fields\":{\"usage\":1},\"timestamp\":1}"
                        .getBytes(StandardCharsets.UTF_8),
                "not-a-number", telegraf("a", T0 / 1000, "\"high\""),
                "invalid-time",
                "{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"fields\":{\"usage\":1},\"timestamp\":true}"
                        .getBytes(StandardCharsets.UTF_8),
                "missing-feature", "{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"fields\":{},\"timestamp\":1700000000}"
                        .getBytes(StandardCharsets.UTF_8));

        bad.forEach((reason, value) -> harness.sendRaw("k", value, T0));
        harness.flush();

        assertThat(harness.forecastValues()).isEmpty();
        assertThat(ForecastTopologyContract.reasonsOf(harness.deadLetters()))
                .containsExactlyInAnyOrderElementsOf(bad.keySet());
        bad.keySet().forEach(reason -> assertThat(harness.counter("gru.dead.letters", "reason", reason))
                .as(reason).isEqualTo(1));
    }

    @Test
    void aDeadLetterOfTheMappingSaysWhatWasWrong() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);

        harness.sendRaw("k", telegraf("a", T0 / 1000, "\"high\""), T0);
        harness.flush();

        List<TestRecord<byte[], byte[]>> deadLetters = harness.deadLetters();
        assertThat(deadLetters).hasSize(1);
        assertThat(header(deadLetters.get(0).headers(), DeadLetters.MESSAGE_HEADER))
                .isEqualTo("feature 'value' (field 'fields.usage') holds 'high', not a number");
    }

    @Test
    void aRecordRefusedAfterBufferingIsDeadLetteredUnderItsOwnKey() {
        Map<String, String> batched = new HashMap<>(TELEGRAF);
        batched.put("batch.max.size", "16");
        harness = new TopologyHarness(TestingModels.persistence("1"), batched);

        harness.sendRaw("first", telegraf("web-1", T0 / 1000, "12.5"), NOW.toEpochMilli());
        harness.sendRaw("second", telegraf("web-1", T0 / 1000, "13.5"), NOW.toEpochMilli());
        harness.sendRaw(null, telegraf("web-1", T0 / 1000, "14.5"), NOW.toEpochMilli());
        harness.flush();

        List<TestRecord<byte[], byte[]>> deadLetters = harness.deadLetters();
        assertThat(deadLetters).extracting(record -> header(record.headers(), DeadLetters.REASON_HEADER))
                .containsExactly("duplicate", "duplicate");
        assertThat(new String(deadLetters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(new String(deadLetters.get(1).key(), StandardCharsets.UTF_8))
                .as("a record without a key, under its series id").isEqualTo("web-1/cpu");
    }

    @ParameterizedTest(name = "batch.max.size {0}")
    @ValueSource(strings = {"1", "16"})
    void aDeadLetterKeepsTheInputRecordsTimestampNotTheEventTime(String batchSize) {
        Map<String, String> settings = new HashMap<>(TELEGRAF);
        settings.put("batch.max.size", batchSize);
        harness = new TopologyHarness(TestingModels.persistence("1"), settings);
        long sent = NOW.toEpochMilli() - MINUTE;

        harness.sendRaw("first", telegraf("web-1", T0 / 1000, "12.5"), sent);
        harness.sendRaw("repeat", telegraf("web-1", T0 / 1000, "13.5"), sent);
        harness.sendRaw("negative", telegraf("web-1", -5, "1"), sent);
        harness.flush();

        assertThat(harness.deadLetters())
                .extracting(record -> header(record.headers(), DeadLetters.REASON_HEADER), TestRecord::timestamp)
                .containsExactlyInAnyOrder(tuple("duplicate", sent), tuple("invalid-time", sent));
    }

    @Test
    void aValueLargerThanTheProducerSendsIsDeadLetteredCutToFitWithItsSize() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);
        byte[] value = ("{\"pad\":\"" + "x".repeat(2 << 20) + "\",\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},"
                + "\"fields\":{\"usage\":1},\"timestamp\":" + T0 / 1000 + "}").getBytes(StandardCharsets.UTF_8);

        harness.sendRaw("k", value, NOW.toEpochMilli());
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("value-too-large");
            assertThat(deadLetter.value()).hasSize((1 << 20) - DeadLetters.FRAMING_ROOM);
            assertThat(header(deadLetter.headers(), DeadLetters.VALUE_BYTES_HEADER))
                    .isEqualTo(String.valueOf(value.length));
        });
    }

    @Test
    void aRecordWithoutAValueIsDeadLetteredAtTheWallClocksTimeNotThePartitionsEventTime() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);

        harness.sendRaw("first", telegraf("web-1", T0 / 1000, "12.5"), NOW.toEpochMilli());
        harness.sendRaw("k", null, NOW.toEpochMilli() - MINUTE);
        harness.flush();

        assertThat(harness.deadLetters()).singleElement()
                .satisfies(deadLetter -> assertThat(deadLetter.timestamp()).isEqualTo(NOW.toEpochMilli()));
    }

    @Test
    void aRecordKeyLongerThanTheLimitIsDeadLetteredThoughItsSeriesIdIsShort() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);

        harness.sendRaw("k".repeat(2_000), telegraf("web-1", T0 / 1000, "12.5"), NOW.toEpochMilli());
        harness.flush();

        assertThat(harness.forecasts()).isEmpty();
        assertThat(harness.deadLetters()).extracting(record -> header(record.headers(), DeadLetters.REASON_HEADER))
                .containsExactly("key-too-large");
    }

    @Test
    void aRecordWithoutKeyOrValueIsANullValueWhereTheValueNamesTheSeries() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);

        harness.sendRaw((byte[]) null, null);
        harness.flush();

        assertThat(harness.deadLetters()).extracting(record -> header(record.headers(), DeadLetters.REASON_HEADER))
                .containsExactly("null-value");
    }

    @Test
    void aRecordKeyThatIsNotUtf8IsNoObstacleWhereTheValueNamesTheSeries() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);

        harness.sendRaw(new byte[] {(byte) 0xFF, 0x01}, telegraf("web-1", T0 / 1000, "12.5"));
        harness.flush();

        assertOneForecast("web-1/cpu", 12.5);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void aRecordKeyThatIsNotUtf8IsDeadLetteredByteForByteWhenRefusedOnArrival() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);
        byte[] binary = {(byte) 0xFF, 0x01};

        harness.sendRaw(binary, telegraf("web-1", NOW.plus(Duration.ofDays(10)).getEpochSecond(), "12.5"));
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("future");
            assertThat(deadLetter.key()).containsExactly(binary);
        });
    }

    @Test
    void aRecordKeyThatIsNotUtf8IsDeadLetteredByteForByteWhenRefusedAfterBuffering() {
        Map<String, String> batched = new HashMap<>(TELEGRAF);
        batched.put("batch.max.size", "16");
        harness = new TopologyHarness(TestingModels.persistence("1"), batched);
        byte[] binary = {(byte) 0xFF, 0x01};

        harness.sendRaw(binary, telegraf("web-1", T0 / 1000, "12.5"));
        harness.sendRaw(binary, telegraf("web-1", T0 / 1000, "13.5"));
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("duplicate");
            assertThat(deadLetter.key()).containsExactly(binary);
        });
    }

    @Test
    void aBinaryRecordKeyIsMeasuredInItsOwnBytes() {
        harness = new TopologyHarness(TestingModels.persistence("1"), TELEGRAF);
        byte[] binary = new byte[600];
        Arrays.fill(binary, (byte) 0xFF);

        harness.sendRaw(binary, telegraf("web-1", T0 / 1000, "12.5"));
        harness.flush();

        assertOneForecast("web-1/cpu", 12.5);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void genericAvroRecordsOfTheirOwnSchemaAreReadThroughTheMapping() {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("input.format", "avro-generic",
                "input.key.fields", "device.id", "input.time.field", "at", "input.features", "value=reading",
                "batch.max.size", "1"));
        Schema device = SchemaBuilder.record("Device").fields().requiredString("id").endRecord();
        Schema schema = SchemaBuilder.record("Reading").namespace("com.example").fields()
                .name("device").type(device).noDefault()
                .name("at").type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)))
                .noDefault()
                .name("reading").type().optional().doubleType()
                .endRecord();
        GenericRecord reading = new GenericData.Record(schema);
        GenericRecord id = new GenericData.Record(device);
        id.put("id", "pump-7");
        reading.put("device", id);
        reading.put("at", T0 * 1000 + 999);
        reading.put("reading", 4.25);
        sendGeneric(reading, NOW.toEpochMilli());
        harness.flush();

        List<Forecast> forecasts = harness.forecastValues();
        assertThat(forecasts).hasSize(1);
        assertThat(forecasts.get(0).getKey()).isEqualTo("pump-7");
        assertThat(forecasts.get(0).getEventTime().toEpochMilli()).isEqualTo(T0);
        assertThat(forecasts.get(0).getActual()).containsEntry("value", 4.25);
    }

    @Test
    void aGenericSeriesIdOfBytesThatAreNotUtf8IsUndecodableEvenWhereTheSchemaAsksForJavaStrings() {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("input.format", "avro-generic",
                "input.key.fields", "site", "batch.max.size", "1"));
        Schema schema = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Sited\", \"fields\": ["
                + "{\"name\": \"site\", \"type\": {\"type\": \"string\", \"avro.java.string\": \"String\"}},"
                + "{\"name\": \"value\", \"type\": \"double\"}]}");
        for (byte first : new byte[] {(byte) 0xFE, (byte) 0xFF}) {
            GenericRecord record = new GenericData.Record(schema);
            record.put("site", new Utf8(new byte[] {first, 'a'}));
            record.put("value", 1.5);
            sendGeneric(record, T0);
        }
        harness.flush();

        assertThat(harness.forecastValues()).isEmpty();
        assertThat(ForecastTopologyContract.reasonsOf(harness.deadLetters())).containsExactly("undecodable",
                "undecodable");
    }

    @Test
    void genericAvroPathsGoThroughMapsAndDecimalsAreReadAsNumbers() {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("input.format", "avro-generic",
                "input.key.fields", "tags.host", "input.features", "value=usage", "batch.max.size", "1"));
        Schema decimal = LogicalTypes.decimal(9, 3).addToSchema(Schema.create(Schema.Type.BYTES));
        Schema schema = SchemaBuilder.record("Usage").namespace("com.example").fields()
                .name("tags").type().map().values().stringType().noDefault()
                .name("usage").type(decimal).noDefault()
                .endRecord();
        GenericRecord usage = new GenericData.Record(schema);
        usage.put("tags", Map.of("host", "db-1"));
        usage.put("usage", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.345"), decimal,
                decimal.getLogicalType()));
        sendGeneric(usage, T0);
        harness.flush();

        assertThat(harness.deadLetters()).isEmpty();
        assertOneForecast("db-1", 12.345);
    }

    @Test
    void genericAvroPathsGoThroughTheUnionBranchTheValueHas() {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("input.format", "avro-generic",
                "input.key.fields", "labels.host", "input.features", "value=metrics.usage", "batch.max.size", "1"));
        Schema labels = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING),
                Schema.createMap(Schema.create(Schema.Type.STRING)));
        Schema metrics = Schema.createMap(Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING), Schema.create(Schema.Type.DOUBLE)));
        Schema schema = SchemaBuilder.record("Tagged").namespace("com.example").fields()
                .name("labels").type(labels).noDefault()
                .name("metrics").type(metrics).noDefault()
                .endRecord();
        GenericRecord tagged = new GenericData.Record(schema);
        tagged.put("labels", Map.of("host", "db-2"));
        tagged.put("metrics", Map.of("usage", 7.5));
        sendGeneric(tagged, T0);
        harness.flush();

        assertThat(harness.deadLetters()).isEmpty();
        assertOneForecast("db-2", 7.5);
    }

    @Test
    void flatJsonForecastsHaveOneFieldPerValue() throws IOException {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("output.layout", "flat",
                "output.format", "json", "batch.max.size", "1"));

        for (int i = 0; i < 60; i++) {
            harness.send("k", T0 + i * MINUTE, 10 + i % 3);
        }
        harness.flush();

        List<byte[]> forecasts = harness.rawForecasts();
        assertThat(forecasts).hasSize(60);
        JsonNode last = JSON.readTree(forecasts.get(59));
        assertThat(last.get("key").asText()).isEqualTo("k");
        assertThat(last.get("event_time").asLong()).isEqualTo(T0 + 59 * MINUTE);
        assertThat(last.get("value_actual").asDouble()).isEqualTo(12.0);
        assertThat(last.get("value_h1").isNumber()).isTrue();
        assertThat(last.get("value_h1_lower").asDouble()).isLessThan(last.get("value_h1_upper").asDouble());
        last.properties().forEach(field -> assertThat(field.getValue().isValueNode()).as(field.getKey()).isTrue());
    }

    @Test
    void flatAvroForecastsAreRegisteredRecordsOfScalars() {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("output.layout", "flat",
                "batch.max.size", "1"));

        harness.send("k", T0, 5.0);
        harness.flush();

        List<byte[]> forecasts = harness.rawForecasts();
        assertThat(forecasts).hasSize(1);
        try (GenericAvroSerde serde = harness.genericSerde()) {
            GenericRecord record = serde.deserializer().deserialize("forecasts", forecasts.get(0));
            assertThat(record.getSchema().getName()).isEqualTo("FlatForecast");
            assertThat(record.getSchema().getFields()).allSatisfy(field -> assertThat(field.schema().getType())
                    .isIn(Schema.Type.STRING, Schema.Type.LONG, Schema.Type.DOUBLE, Schema.Type.BOOLEAN,
                            Schema.Type.UNION));
            assertThat(record.get("key").toString()).isEqualTo("k");
            assertThat(record.get("event_time")).isEqualTo(T0);
            assertThat(record.get("value_actual")).isEqualTo(5.0);
            assertThat(record.get("value_h1")).isEqualTo(5.0);
        }
    }

    @Test
    void nestedJsonForecastsKeepTheForecastRecordsShape() throws IOException {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("output.format", "json",
                "batch.max.size", "1"));

        harness.send("k", T0, 5.0);
        harness.flush();

        List<byte[]> forecasts = harness.rawForecasts();
        assertThat(forecasts).hasSize(1);
        JsonNode forecast = JSON.readTree(forecasts.get(0));
        assertThat(forecast.get("event_time").asLong()).isEqualTo(T0);
        assertThat(forecast.get("forecast").get("value").get(0).asDouble()).isEqualTo(5.0);
        assertThat(forecast.get("state_reset").asText()).isEqualTo("NEW_KEY");
    }

    @Test
    void aForecastListsItsTargetsInTheOrderOfEarlierReleases() throws IOException {
        harness = new TopologyHarness(TestingModels.persistence("1", 2, "cpu", "memory"),
                Map.of("output.format", "json", "batch.max.size", "1"));
        // Every release so far built the records' maps as default hash maps, whose order the bytes follow.
        Map<String, Double> release = new HashMap<>();
        release.put("cpu", 1.0);
        release.put("memory", 2.0);

        harness.send("k", TopologyHarness.observation(T0, Map.of("cpu", 1.0, "memory", 2.0)));
        harness.flush();

        JsonNode forecast = JSON.readTree(harness.rawForecasts().get(0));
        for (String field : List.of("forecast", "actual")) {
            List<String> targets = new ArrayList<>();
            forecast.get(field).fieldNames().forEachRemaining(targets::add);
            assertThat(targets).as(field).containsExactlyElementsOf(release.keySet());
        }
    }
}
