package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.model.RandomModels;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.HostileInput;
import dev.grustream.testing.HostileInput.Entry;
import dev.grustream.testing.HostileInput.Kind;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.TopologyHarness;
import dev.grustream.topology.DeadLetters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 100,000 records, half of them hostile (random bytes, truncated Avro, unknown schema ids, a foreign schema, huge
 * keys and values, NaN and infinities, wrong feature sets, time going backwards or repeating, far-future and negative
 * times, null keys and values), through the service on a real broker under exactly-once: the service keeps running
 * on its first stream thread, every hostile record is dead-lettered once with its reason, and every valid record's
 * forecast (and every alert) is exactly that of a run that never saw the hostile records.
 */
@Tag("integration")
@Timeout(300)
class BadInputIntegrationTest {
    /** With the series ahead of the clock, 500 series of 100 steps: 50,000 valid and 50,000 hostile records. */
    private static final int KEYS = 499;
    private static final int STEPS = 100;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @Test
    void halfAHundredThousandHostileRecordsAreDeadLetteredWithoutTouchingTheValidHalf() throws IOException {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String scope = "bad-input-" + id;
        String observations = "observations-" + id;
        String forecasts = "forecasts-" + id;
        String alerts = "alerts-" + id;
        String deadLetters = "dead-letters-" + id;
        KAFKA.cluster().createTopics(Map.of(observations, 4, forecasts, 4, alerts, 1, deadLetters, 1));
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), "mock://" + scope);
        GruModel model = RandomModels.random(16, 1, 11);
        long now = System.currentTimeMillis();
        long t0 = now - 2 * 86_400_000L;
        HostileInput input = HostileInput.build(observations, "mock://" + scope, KEYS, STEPS, t0, now, 5);
        List<Entry> entries = input.entries();
        List<Entry> valid = entries.stream().filter(Entry::isValid).toList();
        Reference reference = reference(model, valid);

        Path stateDir = Files.createTempDirectory("gru-bad-input");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Map<String, String> settings = new HashMap<>();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "bad-input-" + id);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        settings.put("schema.registry.url", "mock://" + scope);
        settings.put(GruStreamConfig.TOPIC_OBSERVATIONS, observations);
        settings.put(GruStreamConfig.TOPIC_FORECASTS, forecasts);
        settings.put(GruStreamConfig.TOPIC_ALERTS, alerts);
        settings.put(GruStreamConfig.TOPIC_DEAD_LETTERS, deadLetters);
        settings.put(GruStreamConfig.HTTP_ENABLED, "false");
        try (GruStreamService service = GruStreamService.create(new GruStreamConfig(settings), model, meters,
                Clock.systemUTC())) {
            service.start(TopicCreation.NONE);
            await().atMost(WAIT).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);

            long started = System.nanoTime();
            List<RecordMetadata> written = kafka.produceRaw(entries.stream()
                    .map(e -> new ProducerRecord<>(observations, null, now, e.key(), e.value())).toList());
            List<ConsumerRecord<String, Forecast>> forecastRecords = kafka.forecasts(forecasts, valid.size(), WAIT);
            List<ConsumerRecord<String, byte[]>> letters = kafka.deadLetters(deadLetters,
                    entries.size() - valid.size(), WAIT);
            System.out.printf("bad input: %,d records (%,d hostile: %s) produced and processed in %.1f s%n",
                    entries.size(), entries.size() - valid.size(), input.countsByKind(),
                    (System.nanoTime() - started) / 1e9);

            assertThat(service.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(service.streams().metadataForLocalThreads()).extracting(ThreadMetadata::threadName)
                    .as("stream threads (a replaced thread would have another name)")
                    .singleElement().asString().endsWith("-StreamThread-1");
            assertThat(reasonsBySource(letters)).as("dead letters by source offset")
                    .isEqualTo(expectedReasons(entries, written));
            assertThat(byId(forecastRecords.stream().map(ConsumerRecord::value).toList()))
                    .as("forecasts, by key and event time").isEqualTo(reference.forecasts);
            assertThat(forecastRecords).as("forecasts, none twice").hasSize(valid.size());
            // Alerts are committed in the transactions of their forecasts, all of which are in: the whole topic now.
            assertThat(reference.alerts).as("the reference's alerts, for the comparison to mean something")
                    .isNotEmpty();
            assertThat(kafka.readAllCommitted(alerts, kafka.serde(AnomalyAlert.class).deserializer()))
                    .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(reference.alerts);
            assertThat(meters.find("gru.keys.evicted").counter().count()).as("keys evicted").isZero();
        } finally {
            MockSchemaRegistry.dropScope(scope);
            Utils.delete(stateDir.toFile());
        }
    }

    private record Reference(Map<String, Forecast> forecasts, List<AnomalyAlert> alerts) {
    }

    /** What the same topology makes of the valid records alone, without a broker. */
    private static Reference reference(GruModel model, List<Entry> valid) {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1",
                // The harness's clock is fixed in the past: no event of this run is in its future.
                GruStreamConfig.FUTURE_TOLERANCE_MS, String.valueOf(Long.MAX_VALUE / 2)))) {
            valid.forEach(entry -> harness.send(entry.keyString(), entry.valid()));
            return new Reference(byId(harness.forecastValues()), harness.alerts());
        }
    }

    private static Map<String, Forecast> byId(List<Forecast> forecasts) {
        Map<String, Forecast> byId = new HashMap<>();
        forecasts.forEach(f -> byId.put(f.getKey() + "@" + f.getEventTime().toEpochMilli(), f));
        return byId;
    }

    /** The reason each hostile record must get, by the partition and offset it was written at. */
    private static Map<String, String> expectedReasons(List<Entry> entries, List<RecordMetadata> written) {
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Kind kind = entries.get(i).kind();
            if (kind != null) {
                expected.put(written.get(i).partition() + "@" + written.get(i).offset(), kind.reason());
            }
        }
        return expected;
    }

    /** The reason of each dead letter by the source partition and offset it names; a letter seen twice fails. */
    private static Map<String, String> reasonsBySource(List<ConsumerRecord<String, byte[]>> letters) {
        Map<String, String> reasons = new TreeMap<>();
        List<String> twice = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> letter : letters) {
            String source = TopologyHarness.header(letter.headers(), DeadLetters.PARTITION_HEADER) + "@"
                    + TopologyHarness.header(letter.headers(), DeadLetters.OFFSET_HEADER);
            if (reasons.put(source, TopologyHarness.header(letter.headers(), DeadLetters.REASON_HEADER)) != null) {
                twice.add(source);
            }
        }
        assertThat(twice).as("records dead-lettered twice").isEmpty();
        return reasons;
    }
}
