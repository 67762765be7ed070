package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

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

        long topicLimit = Long.parseLong(ModelTopic.newTopic("models", maxBytes, Optional.empty()).configs()
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
}
