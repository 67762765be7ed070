package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.Observation;
import dev.grustream.model.GruModel;
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
import java.util.UUID;
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
        inputs.add(KafkaTestSupport.Input.of("a", observation(t0, 99.0)));
        inputs.add(KafkaTestSupport.Input.raw("a", "not avro".getBytes(StandardCharsets.UTF_8)));
        inputs.add(KafkaTestSupport.Input.of("", observation(t0, 1.0)));
        inputs.add(KafkaTestSupport.Input.of("a", observation(-300_000L, 1.0)));
        inputs.add(KafkaTestSupport.Input.of("b", observation(Instant.now().plus(Duration.ofDays(30)).toEpochMilli(),
                1.0)));
        kafka.produce(topic, inputs);
        Path model = dir.resolve("model.zip");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));

        int exit = command.execute("train", "--from-topic", topic, "--features", "value", "--output",
                model.toString(), "--epochs", "2", "--hidden", "4", "--threads", "1",
                "--set", "bootstrap.servers=" + KAFKA.cluster().bootstrapServers(),
                "--set", "schema.registry.url=" + KAFKA.registry().url());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("1,205 records read from topic " + topic)
                .contains("1 blank-key").contains("1 duplicate").contains("1 future").contains("1 invalid-time")
                .contains("1 undecodable").contains("3 trained on");
        GruModel trained = ModelSource.load(model);
        assertThat(trained.spec().features()).containsExactly("value");
    }

    @Test
    void readsTheTopicWithTheConsumerPrefixedSettings() throws Exception {
        String topic = "history-" + UUID.randomUUID();
        KAFKA.cluster().createTopics(Map.of(topic, 1));
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
        List<KafkaTestSupport.Input> inputs = new ArrayList<>();
        long t0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 300; i++) {
            inputs.add(KafkaTestSupport.Input.of("a", observation(t0 + i * 300_000L, 10 + Math.sin(i / 12.0))));
        }
        kafka.produce(topic, inputs);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));

        // Nothing listens on port 1: only the consumer.-prefixed address reaches the cluster.
        int exit = command.execute("train", "--from-topic", topic, "--features", "value", "--output",
                dir.resolve("model.zip").toString(), "--epochs", "1", "--hidden", "4", "--threads", "1",
                "--set", "bootstrap.servers=127.0.0.1:1", "--set", "default.api.timeout.ms=5000",
                "--set", "consumer.bootstrap.servers=" + KAFKA.cluster().bootstrapServers(),
                "--set", "schema.registry.url=" + KAFKA.registry().url());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("300 records read from topic " + topic);
    }

    private static Observation observation(long time, double value) {
        return Observation.newBuilder().setEventTime(Instant.ofEpochMilli(time)).setFeatures(Map.of("value", value))
                .build();
    }
}
