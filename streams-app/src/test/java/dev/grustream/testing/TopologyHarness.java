package dev.grustream.testing;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.forecast.KeyState;
import dev.grustream.model.GruModel;
import dev.grustream.serde.GenericAvroSerde;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.serde.SpecificAvroSerde;
import dev.grustream.topology.ActiveModel;
import dev.grustream.topology.DeadLetters;
import dev.grustream.topology.ForecasterMetrics;
import dev.grustream.topology.ForecasterSettings;
import dev.grustream.topology.GruStreamTopology;
import dev.grustream.topology.Topics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a {@link TopologyTestDriver}, with a {@code mock://} registry scope of its own, a
 * temporary state directory and a fixed clock. Close it after each test.
 *
 * <p>It runs at-least-once: under exactly-once the driver (4.3.1) loses the dead letters that Kafka Streams'
 * deserialization handler sends, which a real broker keeps (the integration tests check exactly-once there).
 */
public final class TopologyHarness implements AutoCloseable {
    /** The harness's wall clock: 2026-01-01T00:00:00Z. */
    public static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final String scope = "topology-harness-" + UUID.randomUUID();
    private final Path stateDir;
    private final GruStreamConfig config;
    private final Topics topics;
    private final ActiveModel activeModel;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, Observation> observations;
    private final TestInputTopic<byte[], byte[]> rawObservations;
    private final TestOutputTopic<String, Forecast> forecasts;
    private final TestOutputTopic<String, AnomalyAlert> alerts;
    private final TestOutputTopic<byte[], byte[]> deadLetters;

    public TopologyHarness(GruModel model, Map<String, String> settings) {
        try {
            stateDir = Files.createTempDirectory("gru-topology-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> props = new HashMap<>();
        props.put("schema.registry.url", "mock://" + scope);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.putAll(settings);
        config = new GruStreamConfig(props);
        topics = Topics.from(config);
        activeModel = new ActiveModel(model);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Properties streamsProps = GruStreamTopology.streamsProperties(config);
        ForecasterMetrics metrics = new ForecasterMetrics(meters,
                Set.copyOf(config.getList(GruStreamConfig.METRICS_WATCHED_KEYS)));
        metrics.addTo(streamsProps);
        driver = new TopologyTestDriver(GruStreamTopology.build(ForecasterSettings.from(config), topics, activeModel,
                metrics, clock), streamsProps, NOW);
        observations = driver.createInputTopic(topics.observations(), topics.keySerde().serializer(),
                topics.observationSerde().serializer());
        rawObservations = driver.createInputTopic(topics.observations(), new ByteArraySerializer(),
                new ByteArraySerializer());
        forecasts = driver.createOutputTopic(topics.forecasts(), topics.keySerde().deserializer(),
                topics.forecastSerde().deserializer());
        alerts = driver.createOutputTopic(topics.alerts(), topics.keySerde().deserializer(),
                topics.alertSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    public TopologyHarness(GruModel model) {
        this(model, Map.of());
    }

    /** An observation of one feature, {@code value}. */
    public static Observation observation(long eventTime, double value) {
        return observation(eventTime, Map.of("value", value));
    }

    public static Observation observation(long eventTime, Map<String, Double> features) {
        return Observation.newBuilder()
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setFeatures(features)
                .build();
    }

    /** Sends one observation with its event time as the record timestamp. */
    public void send(String key, Observation observation) {
        observations.pipeInput(key, observation, observation.getEventTime());
    }

    /** Sends one observation with its event time as the record timestamp and the given headers. */
    public void send(String key, Observation observation, Headers headers) {
        observations.pipeInput(new TestRecord<>(key, observation, headers, observation.getEventTime()));
    }

    public void send(String key, long eventTime, double value) {
        send(key, observation(eventTime, value));
    }

    /** Sends raw bytes, for input the serializer would refuse to write. */
    public void sendRaw(byte[] key, byte[] value) {
        rawObservations.pipeInput(key, value, NOW.minusSeconds(60));
    }

    /** The bytes the Observation serializer writes for {@code observation}. */
    public byte[] serialize(Observation observation) {
        return topics.observationSerde().serializer().serialize(topics.observations(), observation);
    }

    /** The bytes the harness's registry-backed serializer writes for {@code record} on {@code topic}. */
    public <T extends SpecificRecord> byte[] serialize(String topic, Class<T> type, T record) {
        try (SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type)) {
            serde.configure(config.passThrough(), false);
            return serde.serializer().serialize(topic, record);
        }
    }

    /** A generic Avro serde on the harness's registry, for records of schemas other than gru-stream's. */
    public GenericAvroSerde genericSerde() {
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config.passThrough(), false);
        return serde;
    }

    /** Fires the linger punctuation, so that buffered observations are processed. */
    public void flush() {
        driver.advanceWallClockTime(Duration.ofMillis(config.getLong(GruStreamConfig.BATCH_LINGER_MS)));
    }

    public List<TestRecord<String, Forecast>> forecasts() {
        return forecasts.readRecordsToList();
    }

    public List<Forecast> forecastValues() {
        return forecasts.readValuesToList();
    }

    public List<AnomalyAlert> alerts() {
        return alerts.readValuesToList();
    }

    public List<TestRecord<byte[], byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    /** The forecast records' bytes, whatever output.layout and output.format wrote. */
    public List<byte[]> rawForecasts() {
        return driver.createOutputTopic(topics.forecasts(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readValuesToList();
    }

    /** The alert records' bytes, whatever output.layout and output.format wrote. */
    public List<byte[]> rawAlerts() {
        return driver.createOutputTopic(topics.alerts(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readValuesToList();
    }

    /** Sends a raw value with {@code key} and the record timestamp {@code timestamp}. */
    public void sendRaw(String key, byte[] value, long timestamp) {
        rawObservations.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value,
                Instant.ofEpochMilli(timestamp));
    }

    /** The value of header {@code name} as a string, or null. */
    public static String header(Headers headers, String name) {
        return DeadLetters.header(headers, name);
    }

    public KeyValueStore<String, KeyState> stateStore() {
        return driver.getKeyValueStore(GruStreamTopology.STATE_STORE);
    }

    public ActiveModel activeModel() {
        return activeModel;
    }

    /** The value of Kafka Streams' metric {@code name} of the key-state store (its RocksDB metrics among them). */
    public Object storeMetric(String name) {
        return driver.metrics().entrySet().stream()
                .filter(metric -> metric.getKey().name().equals(name)
                        && GruStreamTopology.STATE_STORE.equals(metric.getKey().tags().get("rocksdb-state-id")))
                .map(metric -> metric.getValue().metricValue())
                .findFirst().orElseThrow(() -> new AssertionError("no store metric " + name));
    }

    /** The value of a counter of gru-stream's metrics, 0 if it was never registered. */
    public double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Whether gru-stream's metrics hold a meter named {@code name}. */
    public boolean hasMeter(String name) {
        return meters.find(name).meter() != null;
    }

    /** The value of the gauge of gru-stream's metrics named {@code name} with {@code tags}. */
    public double gauge(String name, String... tags) {
        return meters.get(name).tags(tags).gauge().value();
    }

    /** The timer of gru-stream's metrics named {@code name}. */
    public Timer timer(String name) {
        return meters.get(name).timer();
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            MockSchemaRegistry.dropScope(scope);
            try {
                Utils.delete(stateDir.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
