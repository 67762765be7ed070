package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.avro.Forecast;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.TestingModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code input.repartition} on a real broker: a series whose records come without a key, spread over the partitions
 * of the observations topic as a producer spreads them, keeps one state, so its forecasts count its steps without a
 * gap. Without the repartition each partition would keep a state of its own for it.
 */
@Tag("integration")
@Timeout(180)
class RepartitionIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long T0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final int PARTITIONS = 3;
    private static final int STEPS = 30;

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    private String topic(String role) {
        return role + "-repartition-" + id;
    }

    @Test
    void aSeriesSpreadOverThePartitionsWithoutKeysKeepsOneState() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic("observations"), PARTITIONS, (short) 1))).all().get();
        }
        Map<String, Object> settings = new HashMap<>();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "repartition-" + id);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        settings.put("schema.registry.url", KAFKA.registry().url());
        settings.put(GruStreamConfig.TOPIC_OBSERVATIONS, topic("observations"));
        settings.put(GruStreamConfig.TOPIC_FORECASTS, topic("forecasts"));
        settings.put(GruStreamConfig.TOPIC_ALERTS, topic("alerts"));
        settings.put(GruStreamConfig.TOPIC_DEAD_LETTERS, topic("dead-letters"));
        settings.put(GruStreamConfig.HTTP_ENABLED, "false");
        settings.put(GruStreamConfig.INPUT_FORMAT, "json");
        settings.put(GruStreamConfig.INPUT_KEY_FIELDS, "host");
        settings.put(GruStreamConfig.INPUT_TIME_FIELD, "time");
        settings.put(GruStreamConfig.INPUT_FEATURES, "value=cpu");
        settings.put(GruStreamConfig.INPUT_REPARTITION, "true");
        // The partitions' records meet in the repartition topic in the order their tasks send them.
        settings.put(GruStreamConfig.LATE_GRACE_MS, String.valueOf(Duration.ofHours(1).toMillis()));

        try (GruStreamService service = GruStreamService.create(new GruStreamConfig(settings),
                TestingModels.persistence("1"), "test", new SimpleMeterRegistry(), Clock.systemUTC())) {
            service.start(TopicCreation.BROKER_DEFAULTS);
            await().atMost(WAIT).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                String json = "{\"host\":\"db-1\",\"time\":" + (T0 + i * MINUTE) + ",\"cpu\":" + (40 + i % 5) + "}";
                records.add(new ProducerRecord<>(topic("observations"), i % PARTITIONS, null,
                        json.getBytes(StandardCharsets.UTF_8)));
            }
            KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
            kafka.produceRaw(records);

            List<ConsumerRecord<String, Forecast>> forecasts = kafka.forecasts(topic("forecasts"), STEPS, WAIT);

            assertThat(forecasts).hasSize(STEPS).allSatisfy(record -> assertThat(record.key()).isEqualTo("db-1"));
            assertThat(forecasts).extracting(record -> record.value().getStep())
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, STEPS).boxed().toList());
            assertThat(kafka.deadLetters(topic("dead-letters"), 0, Duration.ofSeconds(1))).isEmpty();
            assertThat(service.failed()).as("the instance stopped on a failure").isFalse();
        }
    }
}
