package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.config.OperatorException;
import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.model.Backend;
import dev.grustream.testing.TestingModels;
import dev.grustream.topology.ActiveModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The models topic's watcher against a broker with its defaults, which create a topic a client asks about. */
@Tag("integration")
@Timeout(120)
class ModelTopicWatcherIntegrationTest {

    @Test
    void aMissingModelsTopicIsReportedAndNotCreated() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder()
                .brokerConfig("auto.create.topics.enable", true).start()) {
            ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test",
                    Backend.JAVA, new SimpleMeterRegistry(), Clock.systemUTC());

            try (ModelTopicWatcher watcher = new ModelTopicWatcher(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()), "models-deleted", "", models, "watcher-it")) {
                assertThatThrownBy(() -> watcher.catchUp(Duration.ofSeconds(3)))
                        .isInstanceOf(OperatorException.class);
            }

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).doesNotContain("models-deleted");
            }
        }
    }
}
