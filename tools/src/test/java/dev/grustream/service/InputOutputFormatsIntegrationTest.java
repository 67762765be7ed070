package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grustream.avro.Forecast;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.serde.GenericAvroSerde;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.TestingModels;
import dev.grustream.topology.DeadLetters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each input format and output layout end to end on a real broker: JSON observations in (mapped by fields, with one
 * record the mapping cannot read) and flat JSON forecasts out; JSON observations without keys, repartitioned by
 * series; Avro records of a schema of their own in and flat Avro forecasts out, through the registry.
 */
@Tag("integration")
@Timeout(180)
class InputOutputFormatsIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long T0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final int STEPS = 30;

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    private String topic(String role) {
        return role + "-formats-" + id;
    }

    private GruStreamService start(Map<String, String> format) {
        Map<String, Object> settings = new HashMap<>(format);
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "formats-" + id);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        settings.put("schema.registry.url", KAFKA.registry().url());
        settings.put(GruStreamConfig.TOPIC_OBSERVATIONS, topic("observations"));
        settings.put(GruStreamConfig.TOPIC_FORECASTS, topic("forecasts"));
        settings.put(GruStreamConfig.TOPIC_ALERTS, topic("alerts"));
        settings.put(GruStreamConfig.TOPIC_DEAD_LETTERS, topic("dead-letters"));
        settings.put(GruStreamConfig.HTTP_ENABLED, "false");
        GruStreamService service = GruStreamService.create(new GruStreamConfig(settings),
                TestingModels.persistence("1"), "test", new SimpleMeterRegistry(), Clock.systemUTC());
        service.start(TopicCreation.BROKER_DEFAULTS);
        await().atMost(WAIT).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);
        return service;
    }

    private KafkaTestSupport kafka() {
        return new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void jsonInFlatJsonOut() throws IOException {
        try (GruStreamService service = start(Map.of("input.format", "json", "input.key.fields", "host",
                "input.time.field", "time", "input.features", "value=metrics.cpu", "output.layout", "flat",
                "output.format", "json"))) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                String json = "{\"host\":\"db-1\",\"time\":\"" + Instant.ofEpochMilli(T0 + i * MINUTE)
                        + "\",\"metrics\":{\"cpu\":" + (40 + i % 5) + "}}";
                records.add(new ProducerRecord<>(topic("observations"), bytes("db-1"), bytes(json)));
            }
            records.add(new ProducerRecord<>(topic("observations"), bytes("db-1"),
                    bytes("{\"host\":\"db-1\",\"time\":\"now\",\"metrics\":{\"cpu\":1}}")));
            kafka().produceRaw(records);

            List<ConsumerRecord<String, byte[]>> forecasts = kafka().readCommitted(topic("forecasts"),
                    new ByteArrayDeserializer(), STEPS, WAIT);
            List<ConsumerRecord<String, byte[]>> deadLetters = kafka().deadLetters(topic("dead-letters"), 1, WAIT);

            assertThat(forecasts).hasSize(STEPS).allSatisfy(record -> assertThat(record.key()).isEqualTo("db-1"));
            JsonNode last = JSON.readTree(forecasts.get(STEPS - 1).value());
            assertThat(last.get("event_time").asLong()).isEqualTo(T0 + (STEPS - 1) * MINUTE);
            assertThat(last.get("value_actual").asDouble()).isEqualTo(40 + (STEPS - 1) % 5);
            assertThat(last.has("value_h1_upper")).isTrue();
            assertThat(deadLetters).hasSize(1);
            assertThat(new String(deadLetters.get(0).headers().lastHeader(DeadLetters.REASON_HEADER).value(),
                    StandardCharsets.UTF_8)).isEqualTo("invalid-time");
            assertThat(service.failed()).as("the instance stopped on a failure").isFalse();
        }
    }

    /**
     * {@code input.repartition}: a series whose records come without a key, spread over the observations topic's
     * partitions as a producer spreads them, keeps one state, so its forecasts count its steps without a gap. Without
     * the repartition each partition keeps a state of its own for it.
     */
    @Test
    void jsonWithoutKeysOverSeveralPartitionsRepartitionedBySeries() throws Exception {
        int partitions = 3;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic("observations"), partitions, (short) 1))).all().get();
        }
        // The partitions' records meet in the repartition topic in the order their tasks send them.
        try (GruStreamService service = start(Map.of("input.format", "json", "input.key.fields", "host",
                "input.time.field", "time", "input.features", "value=cpu", "input.repartition", "true",
                "late.grace.ms", String.valueOf(Duration.ofHours(1).toMillis())))) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                String json = "{\"host\":\"db-1\",\"time\":" + (T0 + i * MINUTE) + ",\"cpu\":" + (40 + i % 5) + "}";
                records.add(new ProducerRecord<>(topic("observations"), i % partitions, null, bytes(json)));
            }
            kafka().produceRaw(records);

            List<ConsumerRecord<String, Forecast>> forecasts = kafka().forecasts(topic("forecasts"), STEPS, WAIT);

            assertThat(forecasts).hasSize(STEPS).allSatisfy(record -> assertThat(record.key()).isEqualTo("db-1"));
            assertThat(forecasts).extracting(record -> record.value().getStep())
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, STEPS).boxed().toList());
            assertThat(kafka().deadLetters(topic("dead-letters"), 0, Duration.ofSeconds(1))).isEmpty();
            assertThat(service.failed()).as("the instance stopped on a failure").isFalse();
        }
    }

    @Test
    void genericAvroInFlatAvroOut() {
        Schema schema = SchemaBuilder.record("Meter").namespace("com.example").fields()
                .requiredString("site").requiredLong("epoch_seconds").requiredDouble("kwh").endRecord();
        try (GruStreamService service = start(Map.of("input.format", "avro-generic", "input.key.fields", "site",
                "input.time.field", "epoch_seconds", "input.features", "value=kwh", "output.layout", "flat"));
                GenericAvroSerde serde = new GenericAvroSerde()) {
            serde.configure(Map.of("schema.registry.url", KAFKA.registry().url()), false);
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                GenericRecord meter = new GenericData.Record(schema);
                meter.put("site", "plant-" + i % 2);
                meter.put("epoch_seconds", (T0 + i * MINUTE) / 1000);
                meter.put("kwh", 100.0 + i);
                // Keyed by the series, so that each series stays in one partition (docs/operations.md).
                records.add(new ProducerRecord<>(topic("observations"), bytes("plant-" + i % 2),
                        serde.serializer().serialize(topic("observations"), meter)));
            }
            kafka().produceRaw(records);

            List<ConsumerRecord<String, byte[]>> forecasts = kafka().readCommitted(topic("forecasts"),
                    new ByteArrayDeserializer(), STEPS, WAIT);

            assertThat(forecasts).hasSize(STEPS);
            GenericRecord last = forecasts.stream()
                    .map(record -> serde.deserializer().deserialize(topic("forecasts"), record.value()))
                    .max(Comparator.comparingLong(record -> (Long) record.get("event_time"))).orElseThrow();
            assertThat(last.getSchema().getName()).isEqualTo("FlatForecast");
            assertThat(last.get("key").toString()).isEqualTo("plant-1");
            assertThat(last.get("event_time")).isEqualTo((T0 + (STEPS - 1) * MINUTE) / 1000 * 1000);
            assertThat(last.get("value_actual")).isEqualTo(100.0 + STEPS - 1);
            assertThat(service.failed()).as("the instance stopped on a failure").isFalse();
        }
    }
}
