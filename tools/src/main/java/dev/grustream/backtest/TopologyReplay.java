package dev.grustream.backtest;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.serde.AvroSerdeConfig;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.topology.ActiveModel;
import dev.grustream.topology.DeadLetters;
import dev.grustream.topology.ForecasterMetrics;
import dev.grustream.topology.ForecasterSettings;
import dev.grustream.topology.GruStreamTopology;
import dev.grustream.topology.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.slf4j.LoggerFactory;

/**
 * gru-stream's production topology run in-process, without a broker: observations go in one at a time and each
 * comes back as its forecast (and alert) or its dead letter, exactly as the live service would write them.
 *
 * <p>It runs the topology of {@link GruStreamTopology} in Kafka Streams' {@link TopologyTestDriver}, with
 * {@code batch.max.size = 1} so that every observation's results are ready when {@link #send} returns, an
 * in-process schema registry scope of its own and a temporary state directory. The results do not depend on the
 * batch size (see BatchRunner), so they equal the live service's.
 *
 * <p>Lifecycle: create, send, close (deletes the state directory). Not thread-safe.
 */
public final class TopologyReplay implements AutoCloseable {
    /** What became of one observation. Exactly one of {@code forecast} and {@code deadLetterReason} is set. */
    public record Outcome(Forecast forecast, AnomalyAlert alert, String deadLetterReason, String deadLetterMessage) {
        public boolean accepted() {
            return forecast != null;
        }
    }

    /** Observations sent between two drops of the records of the topics the replay does not read. */
    private static final int DROP_UNREAD_EVERY = 1_024;

    private final String registryScope = "replay-" + UUID.randomUUID();
    /** The logger of Kafka Streams' state directory class (internal, hence named). */
    private static final String STATE_DIRECTORY_LOGGER = "org.apache.kafka.streams.processor.internals.StateDirectory";

    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, Observation> input;
    private final TestOutputTopic<String, Forecast> forecasts;
    private final TestOutputTopic<String, AnomalyAlert> alerts;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    /** The topics {@link #send} reads; the driver keeps what the topology writes to the others until it is read. */
    private final Set<String> readTopics;
    private final Map<String, TestOutputTopic<byte[], byte[]>> unreadTopics = new HashMap<>();
    private long sent;

    /**
     * Kafka Streams warns, once per state directory, that one under the OS temp directory may be cleared by the OS.
     * A replay's state directory lives only as long as the replay (the demo's, as the demo; bench's, as its run), so
     * for replays, which write one per file, the demo and bench the warning is noise; the service keeps it.
     */
    public static void quietTemporaryDirectoryWarning() {
        if (LoggerFactory.getLogger(STATE_DIRECTORY_LOGGER) instanceof ch.qos.logback.classic.Logger logger
                && logger.getLevel() == null) {
            logger.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    /**
     * The settings of the topics' formats, which a replay (and the demo's view) sets itself, and the repartition that
     * needs one of them ({@code input.key.fields}).
     */
    private static final List<String> FORMAT_SETTINGS = List.of(GruStreamConfig.INPUT_FORMAT,
            GruStreamConfig.INPUT_KEY_FIELDS, GruStreamConfig.INPUT_REPARTITION, GruStreamConfig.INPUT_TIME_FIELD,
            GruStreamConfig.INPUT_FEATURES, GruStreamConfig.INPUT_VALUE_DESERIALIZER, GruStreamConfig.OUTPUT_FORMAT,
            GruStreamConfig.OUTPUT_LAYOUT, GruStreamConfig.OUTPUT_VALUE_SERIALIZER);

    /**
     * How a serde finds its subjects and schemas in a registry: a run on a registry of its own (bench, soak) starts
     * with none registered, so a production service's "register nothing, use what is registered" would refuse every
     * record there.
     */
    private static final List<String> SUBJECT_SETTINGS = List.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG,
            AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY_CONFIG,
            AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG);

    /**
     * The producer's request size, which a replay does not send to but which gru-stream's settings are checked
     * against ({@code input.max.value.bytes} must fit it): without it, a service's file that raises both would be
     * refused.
     */
    private static final Set<String> REQUEST_SIZE_SETTINGS = Set.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));

    /**
     * Refuses settings of the topics' formats: a replay feeds gru-stream's own Observations and reads its nested
     * Avro forecasts, so another format would fail at the first record.
     *
     * @throws IllegalArgumentException naming the first such setting
     */
    public static void refuseFormatSettings(Map<String, String> settings) {
        for (String key : FORMAT_SETTINGS) {
            if (settings.containsKey(key)) {
                throw new IllegalArgumentException(key + " does not apply here: the observations and forecasts"
                        + " stay in gru-stream's own Avro records (the columns and files are the same either way)");
            }
        }
    }

    /**
     * {@code configured} (a service's file and environment) less the settings of the topics' formats and of how the
     * serdes find their subjects, for a run that writes gru-stream's own Observations and reads its nested Avro
     * forecasts on a broker and registry of its own (bench, soak): the rest, Kafka clients' and the registry's
     * security among them, applies there.
     */
    public static Map<String, String> withoutFormatSettings(Map<String, String> configured) {
        Map<String, String> kept = new LinkedHashMap<>(configured);
        kept.keySet().removeAll(FORMAT_SETTINGS);
        kept.keySet().removeAll(SUBJECT_SETTINGS);
        return kept;
    }

    /**
     * The settings of {@code configured} (a service's file and environment) that a replay applies: gru-stream's own,
     * less the topics' formats, and keys that look like gru-stream's, which the replay refuses as misspelt, as the
     * service does; and the producer's {@code max.request.size}, against which gru-stream's are checked. The rest
     * (Kafka clients, the schema registry, security) concern a broker and a registry that a replay does not use.
     */
    public static Map<String, String> replaySettings(Map<String, String> configured) {
        Map<String, String> kept = new LinkedHashMap<>();
        configured.forEach((key, value) -> {
            if (GruStreamConfig.isOwnNamespace(key) && !FORMAT_SETTINGS.contains(key)
                    || REQUEST_SIZE_SETTINGS.contains(key)) {
                kept.put(key, value);
            }
        });
        return kept;
    }

    /**
     * @param model the model to serve
     * @param settings gru-stream settings (thresholds, time rules...); batching and the registry are set here
     * @param clock the wall clock the topology sees (only the check for events far in the future uses it)
     * @param scratch directory under which the replay keeps its state store while it runs
     */
    public TopologyReplay(GruModel model, Map<String, String> settings, Clock clock, Path scratch) {
        refuseFormatSettings(settings);
        quietTemporaryDirectoryWarning();
        try {
            stateDir = Files.createTempDirectory(scratch, ".gru-stream-replay");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary state directory", e);
        }
        Map<String, String> props = new HashMap<>(settings);
        props.put(GruStreamConfig.BATCH_MAX_SIZE, "1");
        props.put("schema.registry.url", "mock://" + registryScope);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // The driver loses dead letters of the deserialization handler under exactly-once (Kafka 4.3.1); the
        // replay's results do not depend on the guarantee, which only matters when something crashes.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, "gru-stream-replay");
        Topics topics;
        try {
            // A setting refused here (a threshold that is not a number, say) leaves no directory behind.
            GruStreamConfig config = new GruStreamConfig(props);
            topics = Topics.from(config);
            driver = new TopologyTestDriver(GruStreamTopology.build(ForecasterSettings.from(config), topics,
                    new ActiveModel(model), new ForecasterMetrics(new SimpleMeterRegistry()), clock),
                    GruStreamTopology.streamsProperties(config), Instant.ofEpochMilli(clock.millis()));
        } catch (RuntimeException e) {
            try {
                forgetRegistryAndState();
            } catch (UncheckedIOException deleting) {
                e.addSuppressed(deleting);
            }
            throw e;
        }
        input = driver.createInputTopic(topics.observations(), topics.keySerde().serializer(),
                topics.observationSerde().serializer());
        forecasts = driver.createOutputTopic(topics.forecasts(), topics.keySerde().deserializer(),
                topics.forecastSerde().deserializer());
        alerts = driver.createOutputTopic(topics.alerts(), topics.keySerde().deserializer(),
                topics.alertSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        readTopics = Set.of(topics.forecasts(), topics.alerts(), topics.deadLetters());
    }

    /** Sends one observation and returns what became of it. */
    public Outcome send(String key, long eventTime, Map<String, Double> values) {
        Observation observation = Observation.newBuilder()
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setFeatures(values)
                .build();
        input.pipeInput(key, observation, eventTime);
        if (++sent % DROP_UNREAD_EVERY == 0) {
            dropUnread();
        }
        Forecast forecast = forecasts.isEmpty() ? null : forecasts.readValue();
        AnomalyAlert alert = alerts.isEmpty() ? null : alerts.readValue();
        if (forecast != null) {
            return new Outcome(forecast, alert, null, null);
        }
        List<TestRecord<byte[], byte[]>> rejected = deadLetters.readRecordsToList();
        if (rejected.size() != 1) {
            throw new IllegalStateException("Expected one forecast or one dead letter for " + key + "@" + eventTime
                    + ", found " + rejected.size() + " dead letters and no forecast");
        }
        return new Outcome(null, null, DeadLetters.header(rejected.get(0).headers(), DeadLetters.REASON_HEADER),
                DeadLetters.header(rejected.get(0).headers(), DeadLetters.MESSAGE_HEADER));
    }

    /**
     * Drops what the topology wrote to the topics the replay does not read, its stores' changelogs above all: the
     * driver keeps every record until it is read, and a key's state of about 4 KiB per observation grew the heap by
     * that much per row (300,000 rows of one series outgrew 512 MiB).
     */
    private void dropUnread() {
        for (String topic : driver.producedTopicNames()) {
            if (!readTopics.contains(topic)) {
                unreadTopics.computeIfAbsent(topic, name -> driver.createOutputTopic(name,
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())).readRecordsToList();
            }
        }
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            forgetRegistryAndState();
        }
    }

    /** Drops the replay's registry scope and deletes its state directory. */
    private void forgetRegistryAndState() {
        MockSchemaRegistry.dropScope(registryScope);
        try {
            Utils.delete(stateDir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + stateDir, e);
        }
    }
}
