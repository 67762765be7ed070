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
import org.apache.kafka.common.TopicPartition;
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

    @Test
    void reportsClientSettingsItCannotCreateAClientFromInOneLine() throws Exception {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("5"), model);
        StringWriter err = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setErr(new PrintWriter(err));

        int exit = command.execute("model", "publish", "--file", model.toString(), "--skip-instance-check",
                "--set", "bootstrap.servers=" + KAFKA.cluster().bootstrapServers(), "--set", "model.topic=models",
                "--set", "security.protocol=SSL", "--set", "ssl.truststore.location=/nonexistent/truststore.jks");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Cannot create the Kafka clients", "/nonexistent/truststore.jks")
                .doesNotContain("internal error");
    }

    @Test
    void refusesAModelOfOtherFeaturesThanTheOneTheInstancesServeFromTheTopic() throws Exception {
        String topic = "models-cli-" + UUID.randomUUID();
        assertThat(publish(topic, TestingModels.persistence("5"))).isEqualTo(0);
        StringWriter err = new StringWriter();

        int exit = publish(topic, TestingModels.persistence("6", 1, "value", "load"), err);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("an instance with these settings serves persistence/5 (from " + topic
                + "-0@0) and would refuse the model: its features [value, load] differ");
        assertThat(read(topic)).hasSize(1);
    }

    @Test
    void refusesAModelOfOtherFeaturesThanTheStartingModelOfAnEmptyTopic() throws Exception {
        String topic = "models-cli-" + UUID.randomUUID();
        StringWriter err = new StringWriter();

        int exit = publish(topic, TestingModels.persistence("6", 1, "value", "load"), err);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("would refuse the model: its features [value, load] differ");
        assertThat(read(topic)).isEmpty();
    }

    @Test
    void publishesWithoutTheInstanceCheckWhenToldTo() throws Exception {
        String topic = "models-cli-" + UUID.randomUUID();
        assertThat(publish(topic, TestingModels.persistence("5"))).isEqualTo(0);

        int exit = publish(topic, TestingModels.persistence("6", 1, "value", "load"), new StringWriter(),
                "--skip-instance-check");

        assertThat(exit).isEqualTo(0);
        assertThat(read(topic)).hasSize(2);
    }

    @Test
    void saysWhenTheInstancesStartingModelCannotBeReadHere() throws Exception {
        String topic = "models-cli-" + UUID.randomUUID();
        StringWriter err = new StringWriter();

        int exit = publish(topic, TestingModels.persistence("5"), err, "--set",
                "model.path=" + dir.resolve("only-on-the-instances"));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read here the model the instances start with (file:")
                .contains("--skip-instance-check");
    }

    @Test
    void notesThatTheInstancesIgnoreTheModelTheyServeAlready() throws Exception {
        String topic = "models-cli-" + UUID.randomUUID();
        assertThat(publish(topic, TestingModels.persistence("5"))).isEqualTo(0);
        StringWriter err = new StringWriter();

        int exit = publish(topic, TestingModels.persistence("5"), err);

        assertThat(exit).isEqualTo(0);
        assertThat(err.toString()).contains("the instances already serve persistence/5, this very model");
    }

    @Test
    void refusesOtherContentsUnderTheVersionTheInstancesServe() throws Exception {
        String topic = "models-cli-" + UUID.randomUUID();
        GruModel served = TestingModels.persistence("5");
        assertThat(publish(topic, served)).isEqualTo(0);
        GruModel changed = GruModel.of(served.spec(), List.of(served.layer(0)), served.headWeight(),
                new float[] {0.5f});
        StringWriter err = new StringWriter();

        int exit = publish(topic, changed, err);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("serve persistence/5").contains("other contents")
                .contains("give it a new version");
        assertThat(read(topic)).hasSize(1);
    }

    private int publish(String topic, GruModel model) throws Exception {
        return publish(topic, model, new StringWriter());
    }

    private int publish(String topic, GruModel model, StringWriter err, String... more) throws Exception {
        Path modelDir = dir.resolve("model-" + UUID.randomUUID());
        ModelWriter.write(model, modelDir);
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(new StringWriter()));
        command.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of("model", "publish", "--file", modelDir.toString(),
                "--create-topic", "--set", "bootstrap.servers=" + KAFKA.cluster().bootstrapServers(), "--set",
                "model.topic=" + topic));
        args.addAll(List.of(more));
        return command.execute(args.toArray(String[]::new));
    }

    /**
     * Every record of {@code topic} now, read from the start of its partitions to their ends (the command has
     * returned, so nothing more comes); none when the command did not create the topic.
     */
    private static List<ConsumerRecord<String, byte[]>> read(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers(),
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertThat(System.nanoTime()).as("reading %s to %s", topic, ends).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
