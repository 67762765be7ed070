package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.Observation;
import dev.grustream.model.GruModel;
import dev.grustream.serde.SpecificAvroSerde;
import dev.grustream.service.ModelSource;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SharedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gru-stream train --from-topic}: a model trained on an Observation topic's history, as the service reads it.
 */
@Tag("integration")
@Timeout(180)
class TrainFromTopicIntegrationTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void trainsOnEveryKeyOfTheTopicAndSkipsWhatTheServiceWouldRefuse() throws Exception {
        String topic = "history-" + UUID.randomUUID();
        KAFKA.cluster().createTopics(Map.of(topic, 2));
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
        List<KafkaTestSupport.Input> inputs = new ArrayList<>();
        long t0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 400; i++) {
            for (String key : List.of("a", "b", "c")) {
                inputs.add(KafkaTestSupport.Input.of(key, observation(t0 + i * 300_000L,
                        10 + Math.sin(i / 12.0 + key.hashCode()))));
            }
        }
        // The time of a's last observation again, then one before it: as the service judges them, in that order.
        inputs.add(KafkaTestSupport.Input.of("a", observation(t0 + 399 * 300_000L, 99.0)));
        inputs.add(KafkaTestSupport.Input.of("a", observation(t0, 99.0)));
        inputs.add(KafkaTestSupport.Input.raw("a", "not avro".getBytes(StandardCharsets.UTF_8)));
        // Blank but not empty: the service forecasts it (an empty key it dead-letters), a training series needs a name.
        inputs.add(KafkaTestSupport.Input.of(" ", observation(t0, 1.0)));
        inputs.add(KafkaTestSupport.Input.of("a", observation(-300_000L, 1.0)));
        inputs.add(KafkaTestSupport.Input.of("b", observation(Instant.now().plus(Duration.ofDays(30)).toEpochMilli(),
                1.0)));
        kafka.produce(topic, inputs);
        Path model = dir.resolve("model.zip");

        int exit = train(topic, model, 2, "bootstrap.servers=" + KAFKA.cluster().bootstrapServers());

        assertThat(exit).as(err.toString()).isZero();
        // \b: "11 late" must not pass for "1 late".
        assertThat(out.toString()).contains("1,206 records read from topic " + topic)
                .containsPattern("\\b1 blank-key").containsPattern("\\b1 duplicate").containsPattern("\\b1 future")
                .containsPattern("\\b1 invalid-time").containsPattern("\\b1 late").containsPattern("\\b1 undecodable")
                .containsPattern("\\b3 trained on");
        GruModel trained = ModelSource.load(model);
        assertThat(trained.spec().features()).containsExactly("value");
    }

    @Test
    void readsTheTopicWithTheConsumerPrefixedSettings() throws Exception {
        String topic = topicOfOneSeries(300);

        // Nothing listens on port 1: only the consumer.-prefixed address reaches the cluster.
        int exit = train(topic, dir.resolve("model.zip"), 1, "bootstrap.servers=127.0.0.1:1",
                "default.api.timeout.ms=5000", "consumer.bootstrap.servers=" + KAFKA.cluster().bootstrapServers());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("300 records read from topic " + topic);
    }

    @Test
    void readsTheTopicWithTheMainConsumerPrefixedSettingsAsTheServicesReaderOfObservations() throws Exception {
        String topic = topicOfOneSeries(300);

        // Nothing listens on port 1: only the main.consumer.-prefixed address reaches the cluster.
        int exit = train(topic, dir.resolve("model.zip"), 1, "bootstrap.servers=127.0.0.1:1",
                "default.api.timeout.ms=5000", "consumer.bootstrap.servers=127.0.0.1:1",
                "main.consumer.bootstrap.servers=" + KAFKA.cluster().bootstrapServers());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("300 records read from topic " + topic);
    }

    @Test
    void readsOnlyCommittedRecordsLeavingOutAnAbortedTransaction() throws Exception {
        String topic = "history-" + UUID.randomUUID();
        KAFKA.cluster().createTopics(Map.of(topic, 1));
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
        long t0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "train-test-" + UUID.randomUUID());
        try (SpecificAvroSerde<Observation> serde = kafka.serde(Observation.class);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                        new ByteArraySerializer())) {
            producer.initTransactions();
            for (String key : List.of("kept", "aborted")) {
                producer.beginTransaction();
                for (int i = 0; i < 300; i++) {
                    producer.send(new ProducerRecord<>(topic, key, serde.serializer().serialize(topic,
                            observation(t0 + i * 300_000L, 10 + Math.sin(i / 12.0)))));
                }
                if (key.equals("kept")) {
                    producer.commitTransaction();
                } else {
                    producer.flush();
                    producer.abortTransaction();
                }
            }
        }

        int exit = train(topic, dir.resolve("model.zip"), 1, "bootstrap.servers=" + KAFKA.cluster().bootstrapServers());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("300 records read from topic " + topic).containsPattern("\\b1 trained on");
    }

    @Test
    void readsOnlyTheRecordsStampedWithinSince() throws Exception {
        String topic = "history-" + UUID.randomUUID();
        KAFKA.cluster().createTopics(Map.of(topic, 1));
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
        List<KafkaTestSupport.Input> inputs = new ArrayList<>();
        // Each record is stamped with its event time.
        long older = Instant.now().minus(Duration.ofDays(40)).toEpochMilli();
        long newer = Instant.now().minus(Duration.ofDays(10)).toEpochMilli();
        for (int i = 0; i < 200; i++) {
            inputs.add(KafkaTestSupport.Input.of("old", observation(older + i * 300_000L, 10 + Math.sin(i / 12.0))));
        }
        for (int i = 0; i < 300; i++) {
            inputs.add(KafkaTestSupport.Input.of("new", observation(newer + i * 300_000L, 10 + Math.sin(i / 12.0))));
        }
        // Stamped before the window though written after its first record: left out as well.
        inputs.add(KafkaTestSupport.Input.of("new", observation(older, 1.0)));
        kafka.produce(topic, inputs);

        int exit = train(topic, dir.resolve("model.zip"), 1, List.of("--since", "20d"),
                "bootstrap.servers=" + KAFKA.cluster().bootstrapServers());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("300 records read from topic " + topic + " stamped since")
                .contains("(1 stamped before it were left out)").contains("1 trained on");
    }

    /**
     * Runs {@code gru-stream train --from-topic topic} of a small network into {@code model}, with the shared
     * registry and {@code settings}; returns its exit code, its output in {@link #out} and {@link #err}.
     */
    private int train(String topic, Path model, int epochs, String... settings) {
        return train(topic, model, epochs, List.of(), settings);
    }

    /** The same with {@code options} besides. */
    private int train(String topic, Path model, int epochs, List<String> options, String... settings) {
        List<String> args = new ArrayList<>(List.of("train", "--from-topic", topic, "--features", "value", "--output",
                model.toString(), "--epochs", String.valueOf(epochs), "--hidden", "4", "--threads", "1",
                "--set", "schema.registry.url=" + KAFKA.registry().url()));
        args.addAll(options);
        for (String setting : settings) {
            args.add("--set");
            args.add(setting);
        }
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        return command.execute(args.toArray(String[]::new));
    }

    /** A new topic of one partition holding {@code rows} observations of key "a", five minutes apart. */
    private static String topicOfOneSeries(int rows) {
        String topic = "history-" + UUID.randomUUID();
        KAFKA.cluster().createTopics(Map.of(topic, 1));
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
        List<KafkaTestSupport.Input> inputs = new ArrayList<>();
        long t0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < rows; i++) {
            inputs.add(KafkaTestSupport.Input.of("a", observation(t0 + i * 300_000L, 10 + Math.sin(i / 12.0))));
        }
        kafka.produce(topic, inputs);
        return topic;
    }

    private static Observation observation(long time, double value) {
        return Observation.newBuilder().setEventTime(Instant.ofEpochMilli(time)).setFeatures(Map.of("value", value))
                .build();
    }
}
