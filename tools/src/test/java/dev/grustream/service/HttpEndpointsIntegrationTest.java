package dev.grustream.service;

import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.http.GruStreamHttpServer;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.KafkaTestSupport.Input;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.TestingModels;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP endpoints of real instances against an in-process broker: queries answered from the state store, by any
 * of two instances sharing an application id (the non-owner forwards), health following the streams client, and
 * metrics that move as records are processed.
 */
@Tag("integration")
@Timeout(300)
class HttpEndpointsIntegrationTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.now().minus(Duration.ofDays(2)).toEpochMilli();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final List<GruStreamService> services = new ArrayList<>();
    private final List<Path> stateDirs = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private KafkaTestSupport kafka;

    @BeforeEach
    void createTopics() throws Exception {
        kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), "mock://" + id);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic("observations"), 4, (short) 1),
                    new NewTopic(topic("forecasts"), 1, (short) 1), new NewTopic(topic("alerts"), 1, (short) 1),
                    new NewTopic(topic("dead-letters"), 1, (short) 1))).all().get();
        }
    }

    @AfterEach
    void stopServices() throws IOException {
        services.forEach(GruStreamService::close);
        MockSchemaRegistry.dropScope(id);
        for (Path dir : stateDirs) {
            Utils.delete(dir.toFile());
        }
    }

    private String topic(String role) {
        return role + "-http-" + id;
    }

    private GruStreamService create() throws IOException {
        return create(Map.of());
    }

    private GruStreamService create(Map<String, String> overrides) throws IOException {
        Path stateDir = Files.createTempDirectory("gru-http-it");
        stateDirs.add(stateDir);
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.cluster().bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "http-it-" + id);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        props.put("schema.registry.url", "mock://" + id);
        props.put(GruStreamConfig.TOPIC_OBSERVATIONS, topic("observations"));
        props.put(GruStreamConfig.TOPIC_FORECASTS, topic("forecasts"));
        props.put(GruStreamConfig.TOPIC_ALERTS, topic("alerts"));
        props.put(GruStreamConfig.TOPIC_DEAD_LETTERS, topic("dead-letters"));
        props.put(GruStreamConfig.BATCH_MAX_SIZE, "16");
        props.put(GruStreamConfig.HTTP_PORT, "0");
        props.put(GruStreamConfig.HTTP_BIND_ADDRESS, "127.0.0.1");
        props.put(GruStreamConfig.HTTP_ADVERTISED_HOST, "127.0.0.1");
        props.putAll(overrides);
        GruStreamService service = GruStreamService.create(new GruStreamConfig(props),
                TestingModels.persistence("1"), new CompositeMeterRegistry(), Clock.systemUTC());
        services.add(service);
        return service;
    }

    private GruStreamService startRunning() throws IOException {
        return startRunning(Map.of());
    }

    private GruStreamService startRunning(Map<String, String> overrides) throws IOException {
        GruStreamService service = create(overrides);
        service.start(TopicCreation.NONE);
        await().atMost(WAIT).until(() -> service.streams().state() == KafkaStreams.State.RUNNING);
        return service;
    }

    private static List<Input> inputs(int keys, int steps) {
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            for (int k = 0; k < keys; k++) {
                inputs.add(Input.of("key-" + k, observation(T0 + i * MINUTE, 10 + k + Math.sin(i / 4.0))));
            }
        }
        return inputs;
    }

    private HttpResponse<String> get(GruStreamService service, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort().orElseThrow()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersAKeysStateFromTheStateStore() throws Exception {
        GruStreamService service = startRunning();
        kafka.produce(topic("observations"), inputs(3, 30));
        assertThat(kafka.forecasts(topic("forecasts"), 90, WAIT)).hasSize(90);

        JsonNode state = JSON.readTree(get(service, "/v1/series/key-1").body());

        assertThat(state.get("step").asLong()).isEqualTo(30);
        assertThat(state.get("lastEventTime").asText()).isEqualTo(Instant.ofEpochMilli(T0 + 29 * MINUTE).toString());
        assertThat(state.get("anomalyScore").isNumber()).isTrue();
        assertThat(state.get("model").get("version").asText()).isEqualTo("1");
        assertThat(state.get("forecast").get("value").asDouble()).isBetween(9.0, 13.0);
        JsonNode keys = JSON.readTree(get(service, "/v1/series?limit=10").body()).get("keys");
        assertThat(keys).extracting(JsonNode::asText).containsExactlyInAnyOrder("key-0", "key-1", "key-2");
    }

    @Test
    void anUnknownKeyIsNotFound() throws Exception {
        GruStreamService service = startRunning();

        HttpResponse<String> response = get(service, "/v1/series/never-seen");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("key_not_found");
    }

    @Test
    void readinessFollowsTheStreamsClient() throws Exception {
        GruStreamService service = create();

        assertThat(get(service, "/health/ready").statusCode()).isEqualTo(503);
        assertThat(get(service, "/health/live").statusCode()).isEqualTo(200);
        service.start(TopicCreation.NONE);
        await().atMost(WAIT).until(() -> get(service, "/health/ready").statusCode() == 200);
        assertThat(JSON.readTree(get(service, "/health/ready").body()).get("state").asText()).isEqualTo("RUNNING");
        assertThat(get(service, "/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsCoverTheJvmKafkaStreamsAndTheForecasterAndMove() throws Exception {
        GruStreamService service = startRunning();
        kafka.produce(topic("observations"), inputs(4, 10));
        assertThat(kafka.forecasts(topic("forecasts"), 40, WAIT)).hasSize(40);
        await().atMost(WAIT).until(() -> metric(get(service, "/metrics").body(), "gru_forecasts_total") >= 40);

        String metrics = get(service, "/metrics").body();

        assertThat(metrics).contains("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "system_cpu_count", "kafka_stream_", "gru_events_received_total",
                "gru_model_step_seconds", "gru_batch_size", "gru_dead_letters_total{reason=\"late\"}",
                "gru_model_swaps_total", "gru_keys_stored", "gru_stream_threads_replaced_total{cause=\"outage\"}");
        assertThat(metric(metrics, "gru_events_received_total")).isEqualTo(40);
        await().atMost(WAIT).until(() -> metric(get(service, "/metrics").body(), "gru_keys_stored") >= 1);
        kafka.produce(topic("observations"), inputs(4, 12).subList(40, 48));
        await().atMost(WAIT).until(() -> metric(get(service, "/metrics").body(), "gru_forecasts_total") == 48);
    }

    /**
     * A second instance joining with an empty state directory runs at once, on warm-up and standby copies of the
     * first one's stores that it restores meanwhile; it is ready only once they are within the acceptable lag.
     */
    @Test
    void anInstanceIsReadyOnlyOnceItsStandbyCopiesHaveCaughtUp() throws Exception {
        Map<String, String> standbys = Map.of(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1",
                StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, "50");
        startRunning(standbys);
        kafka.produce(topic("observations"), inputs(500, 40));
        assertThat(kafka.forecasts(topic("forecasts"), 20_000, WAIT)).hasSize(20_000);
        GruStreamService second = create(standbys);
        List<Long> lagsWhenReady = new ArrayList<>();

        second.start(TopicCreation.NONE);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> get(second, "/health/ready").statusCode() == 200);
        second.streams().allLocalStorePartitionLags().values()
                .forEach(partitions -> partitions.values().forEach(lag -> lagsWhenReady.add(lag.offsetLag())));

        // Read after the ready answer, with no records coming in since: the lags can only have fallen.
        assertThat(lagsWhenReady).isNotEmpty().allSatisfy(lag -> assertThat(lag).isLessThanOrEqualTo(50));
    }

    /** The gru_ names are checked against the code's meters elsewhere (DockerFilesTest); these are the libraries'. */
    @Test
    void everyLibraryMetricTheAlertRulesAndTheDashboardAskForIsServed() throws Exception {
        GruStreamService service = startRunning();
        kafka.produce(topic("observations"), inputs(2, 5));
        assertThat(kafka.forecasts(topic("forecasts"), 10, WAIT)).hasSize(10);
        Set<String> asked = new HashSet<>();
        for (String file : List.of("docker/alerts.yml", "docker/grafana/dashboards/gru-stream.json")) {
            Matcher name = Pattern.compile("\\b(?:kafka|process|disk|jvm)_[a-z_]+").matcher(
                    Files.readString(repositoryRoot().resolve(file)));
            while (name.find()) {
                asked.add(name.group());
            }
        }

        String metrics = get(service, "/metrics").body();

        assertThat(asked).contains("kafka_consumer_last_poll_seconds_ago", "disk_free_bytes")
                .allSatisfy(name -> assertThat(metrics).containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]"));
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/alerts.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No docker/alerts.yml above " + Path.of("").toAbsolutePath());
    }

    /** The value of an untagged metric in Prometheus text, or NaN if absent. */
    private static double metric(String text, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(2)) : Double.NaN;
    }

    @Test
    void eitherOfTwoInstancesAnswersForEveryKeyForwardingToTheOwner() throws Exception {
        GruStreamService first = startRunning();
        GruStreamService second = startRunning();
        int keys = 16;
        kafka.produce(topic("observations"), inputs(keys, 5));
        assertThat(kafka.forecasts(topic("forecasts"), keys * 5, WAIT)).hasSize(keys * 5);
        await().atMost(WAIT).until(() -> first.streams().state() == KafkaStreams.State.RUNNING
                && second.streams().state() == KafkaStreams.State.RUNNING
                && first.streams().metadataForAllStreamsClients().size() == 2);

        Set<String> servedBy = new HashSet<>();
        for (int k = 0; k < keys; k++) {
            String path = "/v1/series/key-" + k;
            HttpResponse<String> fromFirst = awaitAnswer(first, path);
            HttpResponse<String> fromSecond = awaitAnswer(second, path);
            String owner = fromFirst.headers().firstValue(GruStreamHttpServer.SERVED_BY_HEADER).orElseThrow();
            assertThat(fromSecond.headers().firstValue(GruStreamHttpServer.SERVED_BY_HEADER)).hasValue(owner);
            assertThat(JSON.readTree(fromFirst.body())).isEqualTo(JSON.readTree(fromSecond.body()));
            assertThat(JSON.readTree(fromFirst.body()).get("step").asLong()).isEqualTo(5);
            servedBy.add(owner);
        }
        assertThat(servedBy).as("both instances own keys, so each forwarded the queries for the other's")
                .containsExactlyInAnyOrder(first.httpEndpoint().orElseThrow(),
                        second.httpEndpoint().orElseThrow());
    }

    @Test
    void anInstanceHoldingOnlyAStandbyCopyForwardsItsQueries() throws Exception {
        StandbyPair pair = standbyPair();

        HttpResponse<String> held = awaitAnswer(pair.standby(), "/v1/series/key-0");
        HttpResponse<String> missingAtStandby = awaitAnswer(pair.standby(), "/v1/series/nobody");
        HttpResponse<String> missingAtActive = awaitAnswer(pair.active(), "/v1/series/nobody");

        assertThat(held.statusCode()).isEqualTo(200);
        assertThat(held.headers().firstValue(GruStreamHttpServer.SERVED_BY_HEADER))
                .hasValue(pair.active().httpEndpoint().orElseThrow());
        assertThat(missingAtStandby.statusCode()).isEqualTo(404);
        assertThat(missingAtActive.statusCode()).isEqualTo(404);
    }

    @Test
    void anInstanceHoldingOnlyAStandbyCopyStoresNoKeys() throws Exception {
        StandbyPair pair = standbyPair();

        // Awaited: an instance still settling after the rebalance reports NaN.
        await().atMost(WAIT).until(() -> metric(get(pair.standby(), "/metrics").body(), "gru_keys_stored") == 0);
        await().atMost(WAIT).until(() -> metric(get(pair.active(), "/metrics").body(), "gru_keys_stored") >= 1);
    }

    private record StandbyPair(GruStreamService active, GruStreamService standby) {
    }

    /**
     * Two running instances over a new topic of one partition with one standby replica, after 12 forecasts: one
     * instance's one task is active, the other's a standby, whose store cannot be queried, and Kafka Streams lists
     * it among the instances of the store all the same.
     */
    private StandbyPair standbyPair() throws Exception {
        String observations = topic("observations-single");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.cluster().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(observations, 1, (short) 1))).all().get();
        }
        Map<String, String> settings = Map.of(GruStreamConfig.TOPIC_OBSERVATIONS, observations,
                StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
        GruStreamService first = startRunning(settings);
        kafka.produce(observations, inputs(4, 3));
        assertThat(kafka.forecasts(topic("forecasts"), 12, WAIT)).hasSize(12);
        GruStreamService second = startRunning(settings);
        await().atMost(WAIT).until(() -> second.streams().state() == KafkaStreams.State.RUNNING
                && first.streams().state() == KafkaStreams.State.RUNNING
                && (holdsOnlyStandbys(first) || holdsOnlyStandbys(second)));
        GruStreamService standby = holdsOnlyStandbys(first) ? first : second;
        return new StandbyPair(standby == first ? second : first, standby);
    }

    private static boolean holdsOnlyStandbys(GruStreamService service) {
        return service.streams().metadataForLocalThreads().stream().allMatch(t -> t.activeTasks().isEmpty())
                && service.streams().metadataForLocalThreads().stream().anyMatch(t -> !t.standbyTasks().isEmpty());
    }

    /** Asks until the answer is not a 503 (an instance may still be settling after the rebalance). */
    private HttpResponse<String> awaitAnswer(GruStreamService service, String path) {
        return await().atMost(WAIT).until(() -> get(service, path), response -> response.statusCode() != 503);
    }
}
