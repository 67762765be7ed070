package dev.grustream.topology;

import static dev.grustream.testing.TopologyHarness.NOW;
import static dev.grustream.testing.TopologyHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.Forecast;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.serde.GenericAvroSerde;
import dev.grustream.testing.TestingModels;
import dev.grustream.testing.TopologyHarness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The production topology with {@code input.repartition}: observations re-keyed by the series their value names on
 * their way to the forecaster, every record still ending as a forecast or a dead letter. That a series spread over
 * partitions then keeps one state is shown on a broker ({@code InputOutputFormatsIntegrationTest}).
 */
class RepartitionTopologyTest {
    private static final long T0 = NOW.toEpochMilli() - 86_400_000;
    private static final long MINUTE = 60_000;
    private static final Map<String, String> BY_HOST = Map.of("input.format", "json", "input.key.fields", "host",
            "input.time.field", "time", "input.features", "value=cpu", "input.repartition", "true",
            "batch.max.size", "4");

    private TopologyHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private static byte[] json(String host, long time, String cpu) {
        return ("{\"host\":\"" + host + "\",\"time\":" + time + ",\"cpu\":" + cpu + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theForecasterReadsATopicKeyedBySeriesUnderItsOwnNameAndStores() {
        Map<String, Object> props = new HashMap<>(BY_HOST);
        props.put("schema.registry.url", "mock://repartition-topology-test");
        GruStreamConfig config = new GruStreamConfig(props);
        Topology topology = GruStreamTopology.build(ForecasterSettings.from(config), Topics.from(config),
                new ActiveModel(TestingModels.persistence("1")), new ForecasterMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC());
        TopologyDescription description = topology.describe();

        TopologyDescription.Processor forecaster = description.subtopologies().stream()
                .flatMap(subtopology -> subtopology.nodes().stream())
                .filter(node -> node.name().equals(GruStreamTopology.PROCESSOR))
                .map(TopologyDescription.Processor.class::cast).findFirst().orElseThrow();
        assertThat(forecaster.stores()).containsExactlyInAnyOrder(GruStreamTopology.STATE_STORE,
                GruStreamTopology.PENDING_STORE);
        assertThat(forecaster.predecessors()).singleElement()
                .isInstanceOfSatisfying(TopologyDescription.Source.class, source -> assertThat(source.topicSet())
                        .containsExactly(GruStreamTopology.REPARTITION_TOPIC));
        assertThat(forecaster.successors()).extracting(TopologyDescription.Node::name).containsExactlyInAnyOrder(
                GruStreamTopology.FORECASTS_SINK, GruStreamTopology.ALERTS_SINK, GruStreamTopology.DEAD_LETTERS_SINK);
        assertThat(GruStreamTopology.storeSubtopology(topology)).as("the source's tasks hold no key").isEqualTo(1);
    }

    @Test
    void observationsWithoutKeysAreForecastUnderTheSeriesTheirValueNames() {
        harness = new TopologyHarness(TestingModels.persistence("1"), BY_HOST);

        for (int i = 0; i < 5; i++) {
            harness.sendRaw(null, json("web-1", T0 + i * MINUTE, "1" + i), NOW.toEpochMilli());
            harness.sendRaw(i % 2 == 0 ? "lb" : null, json("web-2", T0 + i * MINUTE, "2" + i), NOW.toEpochMilli());
        }
        harness.flush();

        List<TestRecord<String, Forecast>> forecasts = harness.forecasts();
        assertThat(forecasts).hasSize(10);
        assertThat(forecasts.stream().filter(record -> record.key().equals("web-2")).map(TestRecord::value))
                .extracting(Forecast::getStep).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void genericAvroObservationsAreReadAgainThroughTheRegistryAfterTheRepartition() {
        harness = new TopologyHarness(TestingModels.persistence("1"), Map.of("input.format", "avro-generic",
                "input.key.fields", "site", "input.time.field", "at", "input.features", "value=kwh",
                "input.repartition", "true"));
        Schema schema = SchemaBuilder.record("Meter").namespace("com.example").fields()
                .requiredString("site").requiredLong("at").requiredDouble("kwh").endRecord();
        GenericRecord meter = new GenericData.Record(schema);
        meter.put("site", "plant-1");
        meter.put("at", T0);
        meter.put("kwh", 4.25);
        try (GenericAvroSerde serde = harness.genericSerde()) {
            harness.sendRaw(null, serde.serializer().serialize("observations", meter), NOW.toEpochMilli());
        }
        harness.flush();

        assertThat(harness.forecastValues()).singleElement().satisfies(forecast -> {
            assertThat(forecast.getKey()).isEqualTo("plant-1");
            assertThat(forecast.getActual()).containsEntry("value", 4.25);
        });
    }

    @Test
    void aValueWithoutATimeFieldTakesItsRecordsTimestampThroughTheRepartition() {
        Map<String, String> settings = new HashMap<>(BY_HOST);
        settings.remove("input.time.field");
        harness = new TopologyHarness(TestingModels.persistence("1"), settings);

        // Ahead of the clock, within future.tolerance.ms: the record sent on is stamped with the clock's time.
        long stamped = NOW.plus(Duration.ofMinutes(10)).toEpochMilli();
        harness.sendRaw(null, "{\"host\":\"web-1\",\"cpu\":3}".getBytes(StandardCharsets.UTF_8), stamped);
        harness.flush();

        assertThat(harness.forecastValues()).singleElement()
                .satisfies(forecast -> assertThat(forecast.getEventTime().toEpochMilli()).isEqualTo(stamped));
    }

    @Test
    void aValueTheMappingCannotReadIsDeadLetteredFromTheObservationsTopic() {
        harness = new TopologyHarness(TestingModels.persistence("1"), BY_HOST);

        harness.sendRaw(null, "{\"cpu\": 1}".getBytes(StandardCharsets.UTF_8), NOW.toEpochMilli());
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("missing-field");
            assertThat(header(deadLetter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
        });
    }

    @Test
    void aValueTooLargeIsDeadLetteredFromTheObservationsTopicBeforeItIsSentOn() {
        Map<String, String> settings = new HashMap<>(BY_HOST);
        settings.put("input.max.value.bytes", "1000");
        harness = new TopologyHarness(TestingModels.persistence("1"), settings);
        byte[] large = ("{\"host\":\"web-1\",\"time\":" + T0 + ",\"cpu\":1,\"note\":\"" + "x".repeat(2000)
                + "\"}").getBytes(StandardCharsets.UTF_8);

        harness.sendRaw(null, large, NOW.toEpochMilli());
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("value-too-large");
            assertThat(header(deadLetter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
            assertThat(deadLetter.value()).isEqualTo(large);
        });
    }

    @Test
    void recordsWithoutAValueAreDeadLetteredUnderTheirOwnKeyOneTooLongBeforeItIsSentOn() {
        Map<String, String> settings = new HashMap<>(BY_HOST);
        settings.put("input.max.key.bytes", "8");
        harness = new TopologyHarness(TestingModels.persistence("1"), settings);

        harness.sendRaw((byte[]) null, null);
        harness.sendRaw("host-7".getBytes(StandardCharsets.UTF_8), null);
        harness.sendRaw("a-key-too-long".getBytes(StandardCharsets.UTF_8), null);
        harness.flush();

        List<TestRecord<byte[], byte[]>> deadLetters = harness.deadLetters();
        assertThat(deadLetters).extracting(deadLetter -> header(deadLetter.headers(), DeadLetters.REASON_HEADER))
                .containsExactly("null-value", "null-value", "key-too-large");
        assertThat(deadLetters).extracting(deadLetter -> deadLetter.key() == null ? null
                : new String(deadLetter.key(), StandardCharsets.UTF_8)).containsExactly(null, "host-7",
                        "a-key-too-long");
        assertThat(deadLetters).allSatisfy(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
            assertThat(deadLetter.headers().lastHeader(InputOrigin.SOURCE_HEADER)).isNull();
            assertThat(deadLetter.headers().lastHeader(InputOrigin.KEY_HEADER)).isNull();
        }).extracting(deadLetter -> header(deadLetter.headers(), DeadLetters.OFFSET_HEADER))
                .containsExactly("0", "1", "2");
    }

    @Test
    void anObservationRefusedByTheForecasterIsDeadLetteredUnderTheKeyItCameWith() {
        harness = new TopologyHarness(TestingModels.persistence("1"), BY_HOST);
        byte[] ownKey = {(byte) 0xc3, 0x28, 1};
        byte[] late = json("web-1", T0, "2");

        harness.sendRaw(ownKey, json("web-1", T0 + MINUTE, "1"));
        harness.sendRaw(ownKey, late);
        harness.flush();

        assertThat(harness.forecasts()).extracting(TestRecord::key).containsExactly("web-1");
        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("late");
            assertThat(deadLetter.key()).isEqualTo(ownKey);
            assertThat(deadLetter.value()).isEqualTo(late);
        });
    }

    @Test
    void anObservationRefusedByTheForecasterIsDeadLetteredAsItCameWithItsSeriesIdAsKey() {
        harness = new TopologyHarness(TestingModels.persistence("1"), BY_HOST);
        byte[] late = json("zürich-1", T0, "2");
        long sent = NOW.toEpochMilli() - 5_000;

        harness.sendRaw(null, json("zürich-1", T0 + MINUTE, "1"), sent);
        harness.sendRaw(null, late, sent);
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("late");
            assertThat(header(deadLetter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
            assertThat(header(deadLetter.headers(), DeadLetters.OFFSET_HEADER)).isEqualTo("1");
            assertThat(deadLetter.value()).isEqualTo(late);
            assertThat(deadLetter.key()).isEqualTo("zürich-1".getBytes(StandardCharsets.UTF_8));
            assertThat(deadLetter.timestamp()).as("the input record's own timestamp").isEqualTo(sent);
            assertThat(deadLetter.headers().lastHeader(InputOrigin.RECORD_TIMESTAMP_HEADER)).isNull();
            assertThat(deadLetter.headers().lastHeader(InputOrigin.SOURCE_HEADER)).isNull();
            assertThat(deadLetter.headers().lastHeader(InputOrigin.KEY_HEADER)).isNull();
        });
    }

    @Test
    void aRecordTimestampFarAheadIsRefusedAsInTheFutureWhereTheValueHasNoTime() {
        Map<String, String> settings = new HashMap<>(BY_HOST);
        settings.remove("input.time.field");
        harness = new TopologyHarness(TestingModels.persistence("1"), settings);

        harness.sendRaw(null, "{\"host\":\"web-1\",\"cpu\":3}".getBytes(StandardCharsets.UTF_8),
                NOW.plus(Duration.ofDays(2)).toEpochMilli());
        harness.flush();

        assertThat(harness.deadLetters()).extracting(record -> header(record.headers(), DeadLetters.REASON_HEADER))
                .containsExactly("future");
    }

    @Test
    void aSeriesIdTooLongIsDeadLetteredFromTheObservationsTopicBeforeItIsSentOn() {
        Map<String, String> settings = new HashMap<>(BY_HOST);
        settings.put("input.max.key.bytes", "8");
        harness = new TopologyHarness(TestingModels.persistence("1"), settings);

        harness.sendRaw(null, json("a-host-name-too-long", T0, "1"), NOW.toEpochMilli());
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(deadLetter -> {
            assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("key-too-large");
            assertThat(header(deadLetter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
        });
    }
}
