package dev.grustream.service;

import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.model.RandomModels;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.KafkaTestSupport.Input;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.TopologyHarness;
import dev.grustream.topology.DeadLetters;
import dev.grustream.topology.GruStreamTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service against a real Kafka cluster, under exactly-once: what reaches each topic, and that a key's state
 * survives a restart and the loss of the local state directory. Subclasses say where the cluster is.
 */
abstract class ServiceIntegrationContract {
    /** A model whose forecasts depend on each key's GRU state, so that a lost state shows. */
    private static final GruModel MODEL = RandomModels.randomPerKey(8, 1, 5);

    static final long MINUTE = 60_000;
    static final long T0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
    static final Duration WAIT = Duration.ofSeconds(60);

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String registryScope = "service-it-" + id;
    private final List<GruStreamService> services = new ArrayList<>();
    private final List<Path> stateDirs = new ArrayList<>();
    private KafkaTestSupport kafka;

    abstract String bootstrapServers();

    @BeforeEach
    void createTopics() throws Exception {
        kafka = new KafkaTestSupport(bootstrapServers(), "mock://" + registryScope);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(topic("observations"), 2, (short) 1),
                    new NewTopic(topic("forecasts"), 2, (short) 1),
                    new NewTopic(topic("alerts"), 1, (short) 1),
                    new NewTopic(topic("dead-letters"), 1, (short) 1))).all().get();
        }
    }

    @AfterEach
    void stopServices() throws IOException {
        services.forEach(GruStreamService::close);
        MockSchemaRegistry.dropScope(registryScope);
        for (Path dir : stateDirs) {
            Utils.delete(dir.toFile());
        }
    }

    String topic(String role) {
        return role + "-" + id;
    }

    Path newStateDir() throws IOException {
        Path dir = Files.createTempDirectory("gru-service-it");
        stateDirs.add(dir);
        return dir;
    }

    GruStreamService startService(Path stateDir) {
        return startService(stateDir, Map.of());
    }

    GruStreamService startService(Path stateDir, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "service-it-" + id);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        props.put("schema.registry.url", "mock://" + registryScope);
        props.put(GruStreamConfig.TOPIC_OBSERVATIONS, topic("observations"));
        props.put(GruStreamConfig.TOPIC_FORECASTS, topic("forecasts"));
        props.put(GruStreamConfig.TOPIC_ALERTS, topic("alerts"));
        props.put(GruStreamConfig.TOPIC_DEAD_LETTERS, topic("dead-letters"));
        props.put(GruStreamConfig.BATCH_MAX_SIZE, "16");
        props.put(GruStreamConfig.ALERT_WARMUP_EVENTS, "20");
        props.put(GruStreamConfig.HTTP_PORT, "0");
        props.put(GruStreamConfig.HTTP_ADVERTISED_HOST, "127.0.0.1");
        props.putAll(extra);
        GruStreamService service = GruStreamService.create(new GruStreamConfig(props), MODEL,
                new SimpleMeterRegistry(), Clock.systemUTC());
        services.add(service);
        service.start(TopicCreation.NONE);
        await().atMost(WAIT).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);
        return service;
    }

    static double steady(int i) {
        return 10 + Math.sin(i / 5.0) + 0.05 * Math.cos(i * 1.7);
    }

    static List<Input> steadyInputs(int keys, int from, int to) {
        List<Input> inputs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (int k = 0; k < keys; k++) {
                inputs.add(Input.of("key-" + k, observation(T0 + i * MINUTE, steady(i) + k)));
            }
        }
        return inputs;
    }

    @Test
    void forecastsAlertsAndDeadLettersReachTheirTopics() throws IOException {
        startService(newStateDir());
        List<Input> inputs = new ArrayList<>(steadyInputs(4, 0, 60));
        inputs.add(Input.of("key-1", observation(T0 + 60 * MINUTE, 90.0)));
        inputs.add(Input.raw("key-2", "garbage".getBytes(StandardCharsets.UTF_8)));
        inputs.add(Input.of("key-2", observation(T0 + 61 * MINUTE, Double.NaN)));
        inputs.add(Input.of("key-3", observation(T0, 1.0)));
        inputs.add(Input.of(null, observation(T0, 1.0)));
        kafka.produce(topic("observations"), inputs);

        List<ConsumerRecord<String, Forecast>> forecasts = kafka.forecasts(topic("forecasts"), 241, WAIT);
        List<ConsumerRecord<String, byte[]>> deadLetters = kafka.deadLetters(topic("dead-letters"), 4, WAIT);

        assertThat(forecasts).hasSize(241);
        assertThat(deadLetters).extracting(r -> TopologyHarness.header(r.headers(), DeadLetters.REASON_HEADER))
                .containsExactlyInAnyOrder("undecodable", "not-finite", "late", "null-key");
        assertThat(kafka.alerts(topic("alerts"), 1, WAIT))
                .extracting(r -> r.key() + "@" + r.value().getEventTime().toEpochMilli())
                .containsExactly("key-1@" + (T0 + 60 * MINUTE));
    }

    @Test
    void aNewApplicationStartsWhereAutoOffsetResetSays() throws IOException {
        kafka.produce(topic("observations"), steadyInputs(2, 0, 10));
        startService(newStateDir(), Map.of("auto.offset.reset", "latest"));

        // Latest is looked up when the consumer first fetches, which may follow RUNNING: produce until forecasts come.
        List<ConsumerRecord<String, Forecast>> forecasts = List.of();
        for (int from = 10; forecasts.size() < 2 && from < 400; from += 10) {
            kafka.produce(topic("observations"), steadyInputs(2, from, from + 10));
            forecasts = kafka.forecasts(topic("forecasts"), 2, Duration.ofSeconds(2));
        }

        assertThat(forecasts).hasSizeGreaterThanOrEqualTo(2).allSatisfy(forecast -> assertThat(
                forecast.value().getEventTime().toEpochMilli()).as("an observation sent before the first start")
                .isGreaterThanOrEqualTo(T0 + 10 * MINUTE));
    }

    @Test
    void aKeysStateContinuesAfterARestart() throws IOException {
        Path stateDir = newStateDir();
        GruStreamService first = startService(stateDir);
        kafka.produce(topic("observations"), steadyInputs(2, 0, 30));
        assertThat(kafka.forecasts(topic("forecasts"), 60, WAIT)).hasSize(60);
        first.close();

        startService(stateDir);
        kafka.produce(topic("observations"), steadyInputs(2, 30, 40));

        assertContinued(kafka.forecasts(topic("forecasts"), 80, WAIT));
    }

    @Test
    void aStateDirectoryDeletedWhileStoppedIsRestoredFromTheChangelog() throws IOException {
        Path stateDir = newStateDir();
        GruStreamService first = startService(stateDir);
        kafka.produce(topic("observations"), steadyInputs(2, 0, 30));
        assertThat(kafka.forecasts(topic("forecasts"), 60, WAIT)).hasSize(60);
        first.close();
        Utils.delete(stateDir.toFile());
        assertThat(stateDir).doesNotExist();

        startService(stateDir);
        kafka.produce(topic("observations"), steadyInputs(2, 30, 40));

        assertContinued(kafka.forecasts(topic("forecasts"), 80, WAIT));
    }

    /**
     * The same restart, with the keys' states dropped when the tasks start again (a fault switch): the comparison
     * with an uninterrupted run that {@link #assertContinued} makes must fail, since the model's forecasts depend on
     * each key's GRU state and every key learns online.
     */
    @Test
    void theComparisonCatchesARestartThatLostTheKeysStates() throws IOException {
        Path stateDir = newStateDir();
        GruStreamService first = startService(stateDir);
        kafka.produce(topic("observations"), steadyInputs(2, 0, 30));
        assertThat(kafka.forecasts(topic("forecasts"), 60, WAIT)).hasSize(60);
        first.close();

        System.setProperty(GruStreamTopology.FORGET_STATE_FAULT, "true");
        try {
            startService(stateDir);
            kafka.produce(topic("observations"), steadyInputs(2, 30, 40));
            List<ConsumerRecord<String, Forecast>> forecasts = kafka.forecasts(topic("forecasts"), 80, WAIT);

            assertThat(forecasts).hasSize(80);
            assertThat(byId(forecasts.stream().map(ConsumerRecord::value).toList()))
                    .isNotEqualTo(byId(uninterrupted(steadyInputs(2, 0, 40))));
        } finally {
            System.clearProperty(GruStreamTopology.FORGET_STATE_FAULT);
        }
    }

    /**
     * A service with nothing to read commits nothing: under exactly-once each commit is a transaction, and a
     * punctuation that ran marks its task for one, so a timer ticking while the batch buffer is empty would commit a
     * transaction every commit interval (100 ms here, as under exactly-once by default) for as long as the input is
     * quiet.
     */
    @Test
    void anIdleServiceCommitsNoTransactions() throws IOException, InterruptedException {
        GruStreamService service = startService(newStateDir());
        kafka.produce(topic("observations"), steadyInputs(2, 0, 20));
        assertThat(kafka.forecasts(topic("forecasts"), 40, WAIT)).hasSize(40);
        // The commit of the last batch, and one for the input's transaction markers: wait until the count holds still
        // for half a second (a timer that commits every interval never lets it).
        AtomicReference<Double> last = new AtomicReference<>(-1.0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    double now = commits(service);
                    return now == last.getAndSet(now);
                });

        double committed = commits(service);
        assertThat(committed).as("task commits of the 40 inputs").isPositive();
        Thread.sleep(2_000); // Twenty commit intervals.

        assertThat(commits(service)).as("task commits in the two idle seconds").isEqualTo(committed);
    }

    /** The tasks committed so far, over the service's stream threads. */
    private static double commits(GruStreamService service) {
        return service.streams().metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-thread-metrics")
                        && e.getKey().name().equals("commit-total"))
                .mapToDouble(e -> (Double) e.getValue().metricValue())
                .sum();
    }

    /**
     * The forecasts after the restart carry on the keys' states (steps 31..40, compared, no reset), and every forecast
     * is exactly the one an uninterrupted run of the same inputs makes.
     */
    private static void assertContinued(List<ConsumerRecord<String, Forecast>> forecasts) {
        assertThat(forecasts).hasSize(80);
        List<Forecast> afterRestart = forecasts.stream().map(ConsumerRecord::value)
                .filter(f -> f.getEventTime().toEpochMilli() >= T0 + 30 * MINUTE).toList();
        assertThat(afterRestart).hasSize(20);
        assertThat(afterRestart).allSatisfy(f -> {
            assertThat(f.getStateReset()).isEqualTo(StateReset.NONE);
            assertThat(f.getExpected()).isNotNull();
            assertThat(f.getStep()).isEqualTo((f.getEventTime().toEpochMilli() - T0) / MINUTE + 1);
        });
        assertThat(byId(forecasts.stream().map(ConsumerRecord::value).toList()))
                .isEqualTo(byId(uninterrupted(steadyInputs(2, 0, 40))));
    }

    /** The forecasts of the same topology over {@code inputs} in one run, without a broker. */
    private static List<Forecast> uninterrupted(List<Input> inputs) {
        // Batches of one: the harness's clock does not move, so a larger batch would wait for a linger that never
        // ends; forecasts do not depend on the batching.
        try (TopologyHarness harness = new TopologyHarness(MODEL, Map.of(
                GruStreamConfig.ALERT_WARMUP_EVENTS, "20", GruStreamConfig.BATCH_MAX_SIZE, "1",
                // The harness's clock is fixed in the past: no event of these runs is in its future.
                GruStreamConfig.FUTURE_TOLERANCE_MS, String.valueOf(Long.MAX_VALUE / 2)))) {
            inputs.forEach(input -> harness.send(input.key(), input.observation()));
            return harness.forecastValues();
        }
    }

    private static Map<String, Forecast> byId(List<Forecast> forecasts) {
        Map<String, Forecast> byId = new HashMap<>();
        forecasts.forEach(f -> assertThat(byId.put(f.getKey() + "@" + f.getEventTime().toEpochMilli(), f))
                .as("a second forecast of %s at %s", f.getKey(), f.getEventTime()).isNull());
        return byId;
    }
}
