package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.model.GruModel;
import dev.grustream.model.ModelWriter;
import dev.grustream.service.ModelSource;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.TestingModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gru-stream model publish} against an in-process broker: what lands on the models topic. */
@Tag("integration")
@Timeout(120)
class ModelPublishCommandIntegrationTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;

    @Test
    void publishesTheModelZipUnderItsName() throws Exception {
        String topic = "models-cli-" + UUID.randomUUID();
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("5"), model);
        StringWriter out = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(out));

        int exit = command.execute("model", "publish", "--file", model.toString(), "--create-topic",
                "--set", "bootstrap.servers=" + KAFKA.cluster().bootstrapServers(), "--set", "model.topic=" + topic);

        assertThat(exit).isEqualTo(0);
        assertThat(out.toString()).contains("Published model persistence/5", topic + "-0@0");
        List<ConsumerRecord<String, byte[]>> records = read(topic);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("persistence");
        GruModel published = ModelSource.fromZip(records.get(0).value());
        assertThat(published.spec()).isEqualTo(TestingModels.persistence("5").spec());
    }

    @Test
    void refusesAMissingTopicUnlessAskedToCreateIt() throws Exception {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("5"), model);
        StringWriter err = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setErr(new PrintWriter(err));

        int exit = command.execute("model", "publish", "--file", model.toString(),
                "--set", "bootstrap.servers=" + KAFKA.cluster().bootstrapServers(),
                "--set", "model.topic=absent-models");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("does not exist", "--create-topic");
    }

    private static List<ConsumerRecord<String, byte[]>> read(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
