package dev.grustream.service;

import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelWriter;
import dev.grustream.model.RandomModels;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.KafkaTestSupport.Input;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.TestingModels;
import dev.grustream.testing.TopologyHarness;
import dev.grustream.topology.ActiveModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Models published to the models topic while records flow: every instance switches at a batch boundary, every
 * observation still gets exactly one forecast, and a model that fails its checks is refused while the old one
 * keeps serving.
 */
@Tag("integration")
@Timeout(300)
class ModelHotSwapIntegrationTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.now().minus(Duration.ofDays(3)).toEpochMilli();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KEYS = 8;
    /** A bound on the producer, so that the test stops by itself even if the swap never came. */
    private static final int MAX_STEPS = 2_000;

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final List<GruStreamService> services = new ArrayList<>();
    private final List<Path> stateDirs = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private KafkaTestSupport kafka;

    @TempDir
    Path dir;

    @BeforeEach
    void createDataTopics() throws Exception {
        kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), "mock://" + id);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic("observations"), 2, (short) 1),
                    new NewTopic(topic("forecasts"), 1, (short) 1), new NewTopic(topic("alerts"), 1, (short) 1),
                    new NewTopic(topic("dead-letters"), 1, (short) 1))).all().get();
        }
    }

    @AfterEach
    void stopServices() throws IOException {
        services.forEach(GruStreamService::close);
        MockSchemaRegistry.dropScope(id);
        for (Path stateDir : stateDirs) {
            Utils.delete(stateDir.toFile());
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers()));
    }

    private String topic(String role) {
        return role + "-swap-" + id;
    }

    private Map<String, Object> clientConfig() {
        return Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());
    }

    /** Starts an instance serving {@code model}, following the models topic (created if missing). */
    private GruStreamService start(GruModel model) throws IOException {
        GruStreamService service = create(model);
        service.start(TopicCreation.BROKER_DEFAULTS);
        await().atMost(WAIT).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);
        return service;
    }

    private GruStreamService create(GruModel model) throws IOException {
        return create(model, Map.of());
    }

    /** An instance serving {@code model}, with {@code extra} settings over the tests' own. */
    private GruStreamService create(GruModel model, Map<String, Object> extra) throws IOException {
        Path stateDir = Files.createTempDirectory("gru-swap-it");
        stateDirs.add(stateDir);
        Map<String, Object> props = new HashMap<>(clientConfig());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "swap-it-" + id);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        props.put("schema.registry.url", "mock://" + id);
        props.put(GruStreamConfig.TOPIC_OBSERVATIONS, topic("observations"));
        props.put(GruStreamConfig.TOPIC_FORECASTS, topic("forecasts"));
        props.put(GruStreamConfig.TOPIC_ALERTS, topic("alerts"));
        props.put(GruStreamConfig.TOPIC_DEAD_LETTERS, topic("dead-letters"));
        props.put(GruStreamConfig.MODEL_TOPIC, topic("models"));
        props.put(GruStreamConfig.BATCH_MAX_SIZE, "16");
        // The forecasts are the model's own, so that they tell one model's weights from another's: a key's learner
        // starts from persistence and would hide the model for a while after the switch.
        props.put(GruStreamConfig.LEARNER_ENABLED, "false");
        props.put(GruStreamConfig.HTTP_ENABLED, "false");
        props.putAll(extra);
        GruStreamService service = GruStreamService.create(new GruStreamConfig(props), model, "test", meters,
                Clock.systemUTC());
        services.add(service);
        return service;
    }

    private byte[] zip(GruModel model) throws IOException {
        Path modelDir = dir.resolve(model.spec().name() + "-" + model.spec().version() + "-" + UUID.randomUUID());
        ModelWriter.write(model, modelDir);
        return ModelTopic.zipOf(modelDir);
    }

    private void publish(GruModel model) throws IOException {
        ModelTopic.publish(clientConfig(), topic("models"), zip(model), model, 16 << 20);
    }

    private void publishRaw(String key, byte[] value) {
        publishRaw(null, key, value);
    }

    private void publishRaw(Integer partition, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                KAFKA.cluster().bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            KafkaTestSupport.await(producer.send(new ProducerRecord<>(topic("models"), partition, key, value)));
        }
    }

    private double swaps(String outcome) {
        var counter = meters.find("gru.model.swaps").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static List<Input> step(int i) {
        List<Input> inputs = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            inputs.add(Input.of("key-" + k, observation(T0 + i * MINUTE, 10 + k + Math.sin((i + k) / 5.0))));
        }
        return inputs;
    }

    /** A model named "swap" with random weights drawn from {@code seed}: versions with other seeds differ. */
    private static GruModel swapModel(String version, long seed) {
        GruModel random = RandomModels.random(8, 1, seed);
        return GruModel.of(random.spec().toBuilder().name("swap").version(version).build(), List.of(random.layer(0)),
                random.headWeight(), random.headBias());
    }

    @Test
    void aPublishedModelReplacesTheServingOneUnderLoadWithoutLosingOrDuplicatingForecasts() throws Exception {
        GruModel second = swapModel("2", 22);
        GruStreamService service = start(swapModel("1", 11));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger produced = new AtomicInteger();
        ExecutorService producer = Executors.newSingleThreadExecutor();
        Future<?> producing = producer.submit(() -> {
            while (!stop.get() && produced.get() < MAX_STEPS) {
                kafka.produce(topic("observations"), step(produced.get()));
                produced.incrementAndGet();
            }
        });
        try {
            await().atMost(WAIT).until(() -> produced.get() >= 20);
            // Produced is not processed: every key must have a forecast of the first model before the second comes.
            await().atMost(WAIT).until(() -> kafka.forecasts(topic("forecasts"), Integer.MAX_VALUE,
                    Duration.ofSeconds(1)).stream().map(ConsumerRecord::key).distinct().count() == KEYS);
            publish(second);
            await().atMost(WAIT).until(() -> service.activeModel().current().spec().version().equals("2"));
            int atSwap = produced.get();
            await().atMost(WAIT).until(() -> produced.get() >= atSwap + 20);
        } finally {
            stop.set(true);
            KafkaTestSupport.await(producing);
            producer.shutdown();
        }
        int steps = produced.get();

        List<ConsumerRecord<String, Forecast>> read = kafka.forecasts(topic("forecasts"), steps * KEYS, WAIT);

        Map<String, List<Forecast>> byKey = read.stream().map(ConsumerRecord::value)
                .collect(Collectors.groupingBy(f -> f.getKey().toString()));
        assertThat(read).as("one forecast per observation").hasSize(steps * KEYS);
        assertThat(read.stream().map(r -> r.value().getKey() + "@" + r.value().getEventTime()).distinct())
                .as("no observation forecast twice").hasSize(steps * KEYS);
        assertThat(byKey).hasSize(KEYS);
        byKey.forEach((key, forecasts) -> assertSwitchedOnce(key, forecasts, second));
        assertThat(swaps("applied")).isEqualTo(1);
        assertThat(swaps("rejected")).isZero();
        assertThat(service.models().snapshot().source()).startsWith(topic("models") + "-0@");
    }

    /**
     * A key's forecasts: version 1, then version 2 from the first one restarted with MODEL_CHANGE on, each of them
     * exactly what the new model computes for the key's observations from the switch on.
     */
    private static void assertSwitchedOnce(String key, List<Forecast> forecasts, GruModel second) {
        List<Forecast> ordered = forecasts.stream().sorted(Comparator.comparing(Forecast::getEventTime)).toList();
        int first = 0;
        while (first < ordered.size() && ordered.get(first).getModelVersion().equals("1")) {
            first++;
        }
        assertThat(first).as("%s: forecasts of version 1 before the swap", key).isPositive();
        assertThat(first).as("%s: forecasts of version 2 after the swap", key).isLessThan(ordered.size());
        assertThat(ordered.subList(first, ordered.size())).as(key)
                .allSatisfy(f -> assertThat(f.getModelVersion()).isEqualTo("2"));
        assertThat(ordered.get(first).getStateReset()).as(key).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(ordered.get(first).getStep()).as(key).isEqualTo(1);
        assertThat(ordered.subList(first + 1, ordered.size()))
                .allSatisfy(f -> assertThat(f.getStateReset()).isEqualTo(StateReset.NONE));
        List<Forecast> afterSwitch = ordered.subList(first, ordered.size());
        List<Forecast> computed = secondModelAlone(key, afterSwitch, second);
        assertThat(computed).hasSameSizeAs(afterSwitch);
        for (int i = 0; i < computed.size(); i++) {
            assertThat(afterSwitch.get(i).getForecast()).as("%s after the switch", key)
                    .isEqualTo(computed.get(i).getForecast());
            assertThat(afterSwitch.get(i).getAnomalyScore()).isEqualTo(computed.get(i).getAnomalyScore());
        }
    }

    /**
     * What {@code model} forecasts for a new key fed the observations the forecasts {@code afterSwitch} were made at.
     */
    private static List<Forecast> secondModelAlone(String key, List<Forecast> afterSwitch, GruModel model) {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1",
                GruStreamConfig.FUTURE_TOLERANCE_MS, String.valueOf(Long.MAX_VALUE / 2),
                GruStreamConfig.LEARNER_ENABLED, "false"))) {
            afterSwitch.forEach(f -> harness.send(key, f.getEventTime().toEpochMilli(), f.getActual().get("value")));
            return harness.forecastValues();
        }
    }

    @Test
    void invalidModelsAreRejectedWhileTheServingModelKeepsServing() throws Exception {
        GruStreamService service = start(TestingModels.persistence("1"));

        publishRaw("persistence", "not a zip".getBytes(StandardCharsets.UTF_8));
        publish(TestingModels.persistence("3", 1, "other"));
        await().atMost(WAIT).until(() -> swaps("rejected") == 2);
        kafka.produce(topic("observations"), step(0));

        assertThat(kafka.forecasts(topic("forecasts"), KEYS, WAIT)).hasSize(KEYS)
                .allSatisfy(r -> assertThat(r.value().getModelVersion()).isEqualTo("1"));
        assertThat(service.activeModel().current().spec().version()).isEqualTo("1");
        assertThat(service.models().snapshot().lastRejection()).hasValueSatisfying(
                rejection -> assertThat(rejection.reason()).contains("features [other]"));
        assertThat(swaps("applied")).isZero();
    }

    @Test
    void anInstanceStartsWithTheModelPublishedBeforeIt() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(ModelTopic.newTopic(topic("models"), 16 << 20, Optional.empty(), Map.of())))
                    .all().get();
        }
        publish(TestingModels.persistence("7"));

        GruStreamService service = start(TestingModels.persistence("1"));

        assertThat(service.activeModel().current().spec().version()).isEqualTo("7");
        kafka.produce(topic("observations"), step(0));
        assertThat(kafka.forecasts(topic("forecasts"), KEYS, WAIT)).hasSize(KEYS)
                .allSatisfy(r -> assertThat(r.value().getModelVersion()).isEqualTo("7"));
    }

    @Test
    void aStopWhileTheModelsTopicIsReadAtStartEndsTheStartWithoutAnError() throws Exception {
        // Only the watcher's consumer leads nowhere (port 1): the topics are found, then its read waits.
        GruStreamService service = create(TestingModels.persistence("1"), Map.of(
                "consumer." + StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                GruStreamConfig.MODEL_TOPIC_CATCHUP_TIMEOUT_MS, "60000"));
        CompletableFuture<Void> start = CompletableFuture.runAsync(() -> service.start(TopicCreation.BROKER_DEFAULTS));
        Thread.sleep(2_000);

        service.close();

        start.get(30, TimeUnit.SECONDS);
        assertThat(service.failed()).isFalse();
    }

    @Test
    void theWatcherReadsThroughConsumerPrefixedSettings() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(ModelTopic.newTopic(topic("models"), 16 << 20, Optional.empty(), Map.of())))
                    .all().get();
        }
        publish(TestingModels.persistence("7"));
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                meters, Clock.systemUTC());
        // Nothing listens on port 1: only the consumer.-prefixed servers lead to the cluster.
        Map<String, Object> settings = Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                "consumer." + StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(settings, topic("models"), "", models, "watcher-it")) {
            watcher.catchUp(WAIT);
        }

        assertThat(models.active().spec().version()).isEqualTo("7");
    }

    @Test
    void modelsInSeveralPartitionsOfTheModelsTopicWithoutAModelNameAreRefused() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic("models"), 2, (short) 1))).all().get();
        }
        publishRaw(0, "persistence", zip(TestingModels.persistence("7")));
        publishRaw(1, "other", zip(TestingModels.persistence("8")));
        GruStreamService service = create(TestingModels.persistence("1"));

        assertThatThrownBy(() -> service.start(TopicCreation.NONE))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("holds models in 2 of its 2 partitions and model.name is not set");
    }

    @Test
    void aModelsTopicOfSeveralPartitionsWithModelsInOneServesThem() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic("models"), 2, (short) 1))).all().get();
        }
        publishRaw(1, "persistence", zip(TestingModels.persistence("7")));

        GruStreamService service = start(TestingModels.persistence("1"));

        assertThat(service.activeModel().current().spec().version()).isEqualTo("7");
    }

    @Test
    void aFollowedNameWhoseModelsLieInSeveralPartitionsIsWarnedAbout() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic("models"), 2, (short) 1))).all().get();
        }
        // As after partitions were added: the name's older model stays in the partition it went to before.
        publishRaw(0, "persistence", zip(TestingModels.persistence("7")));
        publishRaw(1, "persistence", zip(TestingModels.persistence("8")));
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                meters, Clock.systemUTC());
        Logger logger = (Logger) LoggerFactory.getLogger(ModelTopicWatcher.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(clientConfig(), topic("models"), "persistence", models,
                "watcher-it")) {
            watcher.catchUp(WAIT);
        } finally {
            logger.detachAppender(appender);
        }

        assertThat(appender.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(message -> assertThat(message)
                        .contains("holds model persistence in partitions [0, 1]"));
    }

    @Test
    void publishingToASecondPartitionOfTheModelsTopicIsRefused() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic("models"), 2, (short) 1))).all().get();
        }
        GruModel model = TestingModels.persistence("7");
        int partition = ModelTopic.publish(clientConfig(), topic("models"), zip(model), model, 16 << 20).partition();

        // A name published to its own partition again passes; one in the other partition is refused.
        ModelTopic.checkOnePartitionHoldsModels(clientConfig(), topic("models"), "persistence");
        publishRaw(1 - partition, "other", zip(TestingModels.persistence("8")));
        assertThatThrownBy(() -> ModelTopic.checkOnePartitionHoldsModels(clientConfig(), topic("models"),
                "persistence"))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("would go to partition " + partition);
    }

    @Test
    void aModelPublishedToAPartitionAddedLaterReachesARunningInstance() throws Exception {
        // Metadata refreshed every second, so that the watcher learns of the new partition within the test.
        GruStreamService service = create(TestingModels.persistence("1"),
                Map.of("consumer.metadata.max.age.ms", "1000"));
        service.start(TopicCreation.BROKER_DEFAULTS);
        await().atMost(WAIT).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);
        try (Admin admin = admin()) {
            admin.createPartitions(Map.of(topic("models"), NewPartitions.increaseTo(2))).all().get();
        }

        publishRaw(1, "persistence", zip(TestingModels.persistence("7")));

        await().atMost(WAIT).until(() -> service.activeModel().current().spec().version().equals("7"));
    }

    @Test
    void theModelsTopicIsCreatedCompactedWithRoomForLargeModels() throws Exception {
        start(TestingModels.persistence("1"));

        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic("models"));
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            // model.topic.max.bytes for the zip, and 64 KiB for its record's key, headers and framing.
            assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
                    .isEqualTo(String.valueOf((16 << 20) + 64 * 1024));
            assertThat(admin.describeTopics(List.of(topic("models"))).allTopicNames().get().get(topic("models"))
                    .partitions()).hasSize(1);
        }
    }

    @Test
    void aModelsTopicWhoseRetentionCanRemoveItsNewestModelIsWarnedAbout() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic("models"), 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, "604800000")))).all().get();
        }

        assertThat(warningsWhileStarting()).anySatisfy(message -> assertThat(message)
                .contains("The models topic " + topic("models") + " has cleanup.policy=delete, retention.ms=604800000")
                .contains("Set cleanup.policy=compact"));
    }

    @Test
    void aCompactedModelsTopicIsNotWarnedAbout() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(ModelTopic.newTopic(topic("models"), 16 << 20, Optional.empty(), Map.of())))
                    .all().get();
        }

        List<String> messages = messagesWhileStarting(Level.INFO);

        assertThat(messages).noneSatisfy(message -> assertThat(message).contains("cleanup.policy"));
        assertThat(messages).noneSatisfy(message -> assertThat(message).contains("retention was not checked"));
    }

    private List<String> warningsWhileStarting() throws IOException {
        return messagesWhileStarting(Level.WARN);
    }

    /** What {@link GruStreamService} logs at {@code level} or above while an instance starts. */
    private List<String> messagesWhileStarting(Level level) throws IOException {
        Logger logger = (Logger) LoggerFactory.getLogger(GruStreamService.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            start(TestingModels.persistence("1"));
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(level))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
