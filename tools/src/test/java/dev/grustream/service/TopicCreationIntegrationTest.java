package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.testing.Logs;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.TestingModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --create-topics --partitions N --replication-factor R} on a real broker. */
@Tag("integration")
@Timeout(120)
class TopicCreationIntegrationTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;

    @Test
    void missingTopicsAreCreatedWithTheGivenPartitionsAndTheModelsTopicWithOne() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        List<String> data = List.of("observations-" + id, "forecasts-" + id, "alerts-" + id, "dead-letters-" + id);
        Map<String, Object> settings = Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, "topics-" + id,
                StreamsConfig.STATE_DIR_CONFIG, dir.toString(), "schema.registry.url", "mock://" + id,
                GruStreamConfig.TOPIC_OBSERVATIONS, data.get(0), GruStreamConfig.TOPIC_FORECASTS, data.get(1),
                GruStreamConfig.TOPIC_ALERTS, data.get(2), GruStreamConfig.TOPIC_DEAD_LETTERS, data.get(3),
                GruStreamConfig.MODEL_TOPIC, "models-" + id, GruStreamConfig.HTTP_ENABLED, "false");

        try (GruStreamService service = GruStreamService.create(new GruStreamConfig(settings),
                TestingModels.persistence("1"), "test", new SimpleMeterRegistry(), Clock.systemUTC())) {
            service.start(new TopicCreation(true, OptionalInt.of(3), Optional.of((short) 1)));
        }

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            Map<String, TopicDescription> created = admin.describeTopics(data).allTopicNames().get();
            assertThat(created).hasSize(4).allSatisfy((name, topic) -> {
                assertThat(topic.partitions()).as(name).hasSize(3);
                assertThat(topic.partitions().get(0).replicas()).as(name).hasSize(1);
            });
            assertThat(admin.describeTopics(List.of("models-" + id)).allTopicNames().get().get("models-" + id)
                    .partitions()).hasSize(1);
        }
    }

    @Test
    void theChangelogsMinimumOfInSyncReplicasReachesEveryTopicItCreates() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        List<String> created = List.of("observations-" + id, "forecasts-" + id, "alerts-" + id,
                "dead-letters-" + id, "models-" + id);
        Map<String, Object> settings = new HashMap<>(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, "topics-" + id,
                StreamsConfig.STATE_DIR_CONFIG, dir.toString(), "schema.registry.url", "mock://" + id,
                GruStreamConfig.TOPIC_OBSERVATIONS, created.get(0), GruStreamConfig.TOPIC_FORECASTS, created.get(1),
                GruStreamConfig.TOPIC_ALERTS, created.get(2), GruStreamConfig.TOPIC_DEAD_LETTERS, created.get(3),
                GruStreamConfig.MODEL_TOPIC, created.get(4), GruStreamConfig.HTTP_ENABLED, "false"));
        settings.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), "2");

        try (GruStreamService service = GruStreamService.create(new GruStreamConfig(settings),
                TestingModels.persistence("1"), "test", new SimpleMeterRegistry(), Clock.systemUTC())) {
            service.start(new TopicCreation(true, OptionalInt.of(1), Optional.of((short) 1)));
        }

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            List<ConfigResource> topics = created.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
            assertThat(admin.describeConfigs(topics).all().get()).hasSize(5).allSatisfy((topic, config) ->
                    assertThat(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).as(topic.name())
                            .isEqualTo("2"));
        }
    }

    @Test
    void aRaisedRequestSizeIsTheDeadLetterTopicsMessageSize() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String deadLetters = "dead-letters-" + id;
        Map<String, Object> settings = Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, "topics-" + id,
                StreamsConfig.STATE_DIR_CONFIG, dir.toString(), "schema.registry.url", "mock://" + id,
                GruStreamConfig.TOPIC_OBSERVATIONS, "observations-" + id, GruStreamConfig.TOPIC_FORECASTS,
                "forecasts-" + id, GruStreamConfig.TOPIC_ALERTS, "alerts-" + id, GruStreamConfig.TOPIC_DEAD_LETTERS,
                deadLetters, GruStreamConfig.HTTP_ENABLED, "false", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "4194304");

        try (GruStreamService service = GruStreamService.create(new GruStreamConfig(settings),
                TestingModels.persistence("1"), "test", new SimpleMeterRegistry(), Clock.systemUTC())) {
            service.start(new TopicCreation(true, OptionalInt.of(1), Optional.of((short) 1)));
        }

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, deadLetters);
            assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()).isEqualTo("4194304");
        }
    }

    @Test
    void aDeadLetterTopicMadeBeforeTheRequestSizeWasRaisedIsWarnedOf() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        List<String> data = List.of("observations-" + id, "forecasts-" + id, "alerts-" + id, "dead-letters-" + id);
        createTopics(data, name -> Map.of());

        List<String> warnings = warningsOfAStart(id, data, Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "4194304"));

        assertThat(warnings).filteredOn(line -> line.contains("takes records of at most")).singleElement().asString()
                .contains("Topic " + data.get(3) + " takes records of at most", "max.message.bytes=4194304");
    }

    @Test
    void anOutputTopicThatRefusesOldRecordsIsWarnedOf() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        List<String> data = List.of("observations-" + id, "forecasts-" + id, "alerts-" + id, "dead-letters-" + id);
        createTopics(data, name -> name.equals(data.get(1))
                ? Map.of(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "3600000") : Map.of());

        List<String> warnings = warningsOfAStart(id, data, Map.of());

        assertThat(warnings).filteredOn(line -> line.contains("before the brokers' clock")).singleElement().asString()
                .startsWith("Topic " + data.get(1) + " refuses records stamped more than PT1H")
                .contains("message.timestamp.type=LogAppendTime");
    }

    private static void createTopics(List<String> names, Function<String, Map<String, String>> configs)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            admin.createTopics(names.stream().map(name -> new NewTopic(name, 1, (short) 1)
                    .configs(configs.apply(name))).toList()).all().get();
        }
    }

    /** The WARN lines of an instance's start, without creating topics, on {@code data}'s topics, with {@code extra}. */
    private List<String> warningsOfAStart(String id, List<String> data, Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, "topics-" + id,
                StreamsConfig.STATE_DIR_CONFIG, dir.toString(), "schema.registry.url", "mock://" + id,
                GruStreamConfig.TOPIC_OBSERVATIONS, data.get(0), GruStreamConfig.TOPIC_FORECASTS, data.get(1),
                GruStreamConfig.TOPIC_ALERTS, data.get(2), GruStreamConfig.TOPIC_DEAD_LETTERS, data.get(3),
                GruStreamConfig.HTTP_ENABLED, "false"));
        settings.putAll(extra);
        List<ILoggingEvent> logged = Logs.of(GruStreamService.class, () -> {
            try (GruStreamService service = GruStreamService.create(new GruStreamConfig(settings),
                    TestingModels.persistence("1"), "test", new SimpleMeterRegistry(), Clock.systemUTC())) {
                service.start(new TopicCreation(false, OptionalInt.empty(), Optional.empty()));
            }
        });
        return logged.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
