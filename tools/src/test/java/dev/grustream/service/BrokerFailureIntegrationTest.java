package dev.grustream.service;

import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.avro.Forecast;
import dev.grustream.model.RandomModels;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.model.GruModel;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.KafkaTestSupport.Input;
import dev.grustream.testing.UninterruptedRun;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One broker of a three-broker cluster (every topic, Kafka Streams' internal ones included, replicated three times
 * with min.insync.replicas=2) is stopped mid-stream and started again: the instance recovers by itself, without a
 * restart or a replaced stream thread, and under exactly-once writes exactly the forecasts of an undisturbed run.
 * The broker stopped is the application's group coordinator, the one whose loss disturbs Kafka Streams most.
 */
@Tag("integration")
@Timeout(300)
class BrokerFailureIntegrationTest {
    private static final int KEYS = 30;
    private static final int STEPS = 300;
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
    private static final GruModel MODEL = RandomModels.randomPerKey(16, 1, 5);

    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EmbeddedKafkaCluster.builder().brokers(3).start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void aStoppedAndRestartedBrokerCostsNoForecastAndNoRestart() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String scope = "broker-failure-" + id;
        String applicationId = "broker-failure-" + id;
        String observations = "observations-" + id;
        String forecasts = "forecasts-" + id;
        cluster.createTopics(Map.of(observations, 4, forecasts, 4, "alerts-" + id, 1, "dead-letters-" + id, 1));
        KafkaTestSupport kafka = new KafkaTestSupport(cluster.bootstrapServers(), "mock://" + scope);
        List<Input> inputs = inputs();
        Path stateDir = Files.createTempDirectory("gru-broker-failure");
        Map<String, String> settings = new HashMap<>();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        settings.put("schema.registry.url", "mock://" + scope);
        settings.put(GruStreamConfig.TOPIC_OBSERVATIONS, observations);
        settings.put(GruStreamConfig.TOPIC_FORECASTS, forecasts);
        settings.put(GruStreamConfig.TOPIC_ALERTS, "alerts-" + id);
        settings.put(GruStreamConfig.TOPIC_DEAD_LETTERS, "dead-letters-" + id);
        settings.put(GruStreamConfig.HTTP_ENABLED, "false");
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try (GruStreamService service = GruStreamService.create(new GruStreamConfig(settings), MODEL,
                new SimpleMeterRegistry(), Clock.systemUTC())) {
            service.start(TopicCreation.NONE);
            await().atMost(Duration.ofSeconds(60)).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);
            int coordinator = groupCoordinator(applicationId);
            Future<?> produced = producer.submit(() -> kafka.producePaced(observations, inputs));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> kafka.forecasts(forecasts, 1, Duration.ofSeconds(1)).size() >= 1);

            cluster.stopBroker(coordinator);
            long stoppedAt = System.nanoTime();
            int beforeStop = kafka.forecasts(forecasts, inputs.size(), Duration.ofSeconds(1)).size();
            // Two replicas of everything remain: the instance must go on writing forecasts while the broker is away.
            await().atMost(Duration.ofSeconds(120)).until(() -> kafka.forecasts(forecasts, beforeStop + 1_000,
                    Duration.ofSeconds(2)).size() >= beforeStop + 1_000);
            cluster.restartBroker(coordinator);
            long restartedAt = System.nanoTime();
            KafkaTestSupport.await(produced);
            List<ConsumerRecord<String, Forecast>> read = kafka.forecasts(forecasts, inputs.size(),
                    Duration.ofSeconds(120));
            System.out.printf("broker %d (the group coordinator) was stopped mid-stream for %.1f s, during which the"
                    + " instance wrote at least 1,000 forecasts; %d forecasts read in all%n", coordinator,
                    (restartedAt - stoppedAt) / 1e9, read.size());

            assertThat(service.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(service.streams().metadataForLocalThreads()).extracting(ThreadMetadata::threadName)
                    .as("stream threads (a replaced thread would have another name)")
                    .singleElement().asString().endsWith("-StreamThread-1");
            Map<String, Forecast> expected = UninterruptedRun.forecasts(MODEL, inputs);
            assertThat(read.size()).as("forecasts, none twice: %s", UninterruptedRun.difference(read, expected))
                    .isEqualTo(inputs.size());
            assertThat(UninterruptedRun.byId(read)).isEqualTo(expected);
        } finally {
            producer.shutdownNow();
            MockSchemaRegistry.dropScope(scope);
            Utils.delete(stateDir.toFile());
        }
    }

    private static List<Input> inputs() {
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            for (int k = 0; k < KEYS; k++) {
                inputs.add(Input.of("key-" + k, observation(T0 + i * MINUTE,
                        8 + k + 2 * Math.sin((i + k) / 11.0) + 0.1 * Math.cos(i * 1.1 + k))));
            }
        }
        return inputs;
    }

    private static int groupCoordinator(String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            return admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
                    .get(30, TimeUnit.SECONDS).coordinator().id();
        }
    }
}
