package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.config.OperatorException;
import dev.grustream.model.ModelWriter;
import dev.grustream.testing.TestingModels;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTopicTest {
    private static Optional<String> risk(String policy, String retentionMs, String retentionBytes) {
        return ModelTopic.expiryRisk("models", new Config(List.of(
                new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, policy),
                new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, retentionMs),
                new ConfigEntry(TopicConfig.RETENTION_BYTES_CONFIG, retentionBytes))));
    }

    @Test
    void theTopicGruStreamCreatesHoldsAZipOfTheWholeLimitWithItsRecordsFraming() {
        int maxBytes = 1 << 30;

        long topicLimit = Long.parseLong(ModelTopic.newTopic("models", maxBytes, Optional.empty(), Map.of())
                .configs()
                .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));

        assertThat(topicLimit).isGreaterThanOrEqualTo(maxBytes + 1024L);
    }

    @Test
    void aCompactedTopicKeepsItsNewestModel() {
        assertThat(risk("compact", "604800000", "-1")).isEmpty();
    }

    @Test
    void aTopicThatDeletesByTimeCanLoseItsNewestModel() {
        assertThat(risk("delete", "604800000", "-1")).hasValueSatisfying(message -> assertThat(message)
                .startsWith("The models topic models has cleanup.policy=delete, retention.ms=604800000:"));
    }

    @Test
    void compactionWithDeletionCanLoseItsNewestModelToo() {
        assertThat(risk("compact,delete", "604800000", "-1")).isPresent();
    }

    @Test
    void aTopicThatDeletesBySizeCanLoseItsNewestModel() {
        assertThat(risk("delete", "-1", "1048576")).hasValueSatisfying(message -> assertThat(message)
                .contains("retention.bytes=1048576"));
    }

    @Test
    void aTopicThatDeletesWithoutAnyLimitKeepsEverything() {
        assertThat(risk("delete", "-1", "-1")).isEmpty();
    }

    @Test
    void publishingBoundsTheProducersDeliveryTimeoutItWaitsFor() {
        Map<String, Object> props = ModelTopic.producerSettings(Map.of("bootstrap.servers", "broker:9092"), 1000);

        assertThat(props).containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ModelTopic.DELIVERY_TIMEOUT_MS);
    }

    @Test
    void publishingKeepsADeliveryTimeoutTheSettingsGive() {
        Map<String, Object> props = ModelTopic.producerSettings(Map.of("producer.delivery.timeout.ms", 300_000), 1000);

        assertThat(props).containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    }

    @Test
    void publishingLeavesTheProducerADeliveryTimeoutItAcceptsWithALongRequestTimeout() {
        Map<String, Object> props = ModelTopic.producerSettings(Map.of("request.timeout.ms", "90000"), 1000);

        // The producer refuses to start with a delivery timeout below linger.ms (5 by default) plus this.
        assertThat(props).containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_005);
    }

    @Test
    void aTopicWhoseMetadataDoesNotComeIsReportedAsNotSent() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        producer.partitionsForException = new TimeoutException("Topic models not present in metadata after 60000 ms.");

        assertThatThrownBy(() -> ModelTopic.publish(producer, "models", new byte[] {1}, TestingModels.persistence("5")))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("so the model was not sent");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aDeliveryThatTimesOutIsReportedAsPerhapsPublished() {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer());
        Thread broker = new Thread(() -> {
            while (!producer.errorNext(new TimeoutException("Expiring 1 record(s) for models-0"))) {
                Thread.onSpinWait();
            }
        });
        broker.start();

        assertThatThrownBy(() -> ModelTopic.publish(producer, "models", new byte[] {1}, TestingModels.persistence("5")))
                .isInstanceOf(OperatorException.class)
                .hasMessageStartingWith("The brokers did not acknowledge the model within the producer's"
                        + " delivery.timeout.ms, so it may or may not be in models: Expiring 1 record(s)");
    }

    @Test
    void publishingReturnsWhereTheBrokersWroteTheModel() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());

        assertThat(ModelTopic.publish(producer, "models", new byte[] {1}, TestingModels.persistence("5")).topic())
                .isEqualTo("models");
        assertThat(producer.history()).singleElement().satisfies(record -> assertThat(record.key())
                .isEqualTo(TestingModels.persistence("5").spec().name()));
    }

    @Test
    void aModelDirectoryIsPublishedWithItsModelFilesOnly(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("1"), model);
        Set<String> modelFiles = fileNames(model);
        Files.writeString(model.resolve("training.log"), "epoch 1 ...");
        Files.write(model.resolve("history.csv"), new byte[100_000]);
        Files.write(model.resolve("residuals.npy"), new byte[100_000]);

        Set<String> entries = new TreeSet<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(ModelTopic.zipOf(model)))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.add(entry.getName());
            }
        }

        assertThat(entries).isEqualTo(modelFiles).contains("model.json").doesNotContain("training.log", "history.csv",
                "residuals.npy");
    }

    private static Set<String> fileNames(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
