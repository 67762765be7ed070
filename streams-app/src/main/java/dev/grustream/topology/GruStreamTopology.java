package dev.grustream.topology;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.forecast.KeyState;
import dev.grustream.input.InboundObservation;
import dev.grustream.input.ObservationReader;
import dev.grustream.input.RecordKeyDeserializer;
import dev.grustream.topology.internals.DecodedStates;
import dev.grustream.topology.internals.KeyStateSerde;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds gru-stream's topology: the one factory used by the service, the demo, the backtest, the benchmark and the
 * tests, so that all of them run the very processor that runs in production.
 *
 * <pre>
 *   observations-source --&gt; forecaster --&gt; forecasts-sink     (Forecast per accepted observation)
 *                                         --&gt; alerts-sink        (AnomalyAlert when due)
 *                                         --&gt; dead-letters-sink  (rejected records, with reason headers)
 *   stores of forecaster: series-state (persistent, changelogged), pending-observations (changelogged buffer)
 * </pre>
 *
 * <p>With {@code input.repartition}, the observations go from their source through a repartition topic, keyed by the
 * series their value names, to the forecaster.
 *
 * <p>Stateless and thread-safe.
 */
public final class GruStreamTopology {
    public static final String SOURCE = "observations-source";
    public static final String PROCESSOR = "forecaster";
    public static final String STATE_STORE = "series-state";

    /**
     * Fault injection for the reliability tests, never set in production: with the system property
     * {@value} set to {@code true}, every task deletes the key states it finds in its store when it starts, as an
     * instance that failed to restore its state would; set to {@code hidden}, it zeroes only their GRU hidden states,
     * keeping every learner, as a restore that lost part of a state would. The tests run once with it to show that
     * they catch the failure they guard against.
     */
    public static final String FORGET_STATE_FAULT = "gru.stream.fault.forget-state";
    /**
     * Fault injection for the tests, never set in production: the forecasting of an observation of the key named by
     * the system property {@value} fails as a bug would; of every key, as a broken core would, where it is "*".
     */
    public static final String FAIL_KEY_FAULT = "gru.stream.fault.fail-key";

    public static final String PENDING_STORE = "pending-observations";
    /** The name of the repartition of {@code input.repartition}. */
    public static final String REPARTITION = "observations-by-series";
    /** The name of its topic, after the application id and a dash, as Kafka Streams names it. */
    public static final String REPARTITION_TOPIC = REPARTITION + "-repartition";
    public static final String FORECASTS_SINK = "forecasts-sink";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String DEAD_LETTERS_SINK = "dead-letters-sink";

    private GruStreamTopology() {
    }

    /**
     * The forecasting processors of one topology, one per task: they share one cache of decoded states, so that its
     * bound ({@code state.cache.max.bytes}) holds for the Kafka Streams instance the topology is given to.
     */
    static ProcessorSupplier<String, InboundObservation, Object, Object> forecastProcessors(
            ForecasterSettings settings, ActiveModel model, ForecasterMetrics metrics, Clock clock) {
        DecodedStates decoded = new DecodedStates(settings.stateCacheMaxBytes());
        return () -> new ForecastProcessor(settings, model, metrics, clock, decoded);
    }

    /** Returns the topology of one gru-stream application; give each to one Kafka Streams instance only. */
    public static Topology build(ForecasterSettings settings, Topics topics, ActiveModel model,
            ForecasterMetrics metrics, Clock clock) {
        EventTimeExtractor eventTime = new EventTimeExtractor(clock, settings.futureToleranceMs());
        ObservationReader reader = topics.observationReader(() -> model.current().spec().features());
        Topology topology;
        if (settings.repartition()) {
            topology = repartitionedBySeries(settings, topics, model, metrics, clock, eventTime, reader);
        } else {
            topology = new Topology();
            // No reset policy of the source's own (null, as Topology's overloads without one pass): the
            // application's auto.offset.reset applies, earliest unless set (Kafka Streams' default).
            topology.addSource((AutoOffsetReset) null, SOURCE, eventTime, topics.observationKeyDeserializer(), reader,
                    topics.observations());
            topology.addProcessor(PROCESSOR, forecastProcessors(settings, model, metrics, clock), SOURCE);
            topology.addStateStore(stateStore(settings, metrics), PROCESSOR);
            // Also without batching: observations a run with batching left buffered are processed, not stranded.
            topology.addStateStore(pendingStore(), PROCESSOR);
        }
        topology.addSink(FORECASTS_SINK, topics.forecasts(), topics.keySerde().serializer(),
                topics.forecastSerializer(), PROCESSOR);
        topology.addSink(ALERTS_SINK, topics.alerts(), topics.keySerde().serializer(),
                topics.alertSerializer(), PROCESSOR);
        topology.addSink(DEAD_LETTERS_SINK, topics.deadLetters(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    /**
     * The topology up to the forecaster with {@code input.repartition}: the observations, read as without it (bad
     * records dead-lettered there, with their own coordinates), are keyed by the series their value names and written
     * to a repartition topic as the bytes they came in, which the forecaster's sub-topology reads again. Built with
     * the DSL, as only it creates and manages a repartition topic (partitions as the observations topic's, records
     * purged once committed). The processor and its stores keep their names, so their changelogs too, but run in
     * tasks of another subtopology (1), which hold the series by the partition of their id: turning the setting on
     * or off for an application with state forks the states of series whose records were not keyed by their id.
     */
    private static Topology repartitionedBySeries(ForecasterSettings settings, Topics topics, ActiveModel model,
            ForecasterMetrics metrics, Clock clock, EventTimeExtractor eventTime, ObservationReader reader) {
        StreamsBuilder builder = new StreamsBuilder();
        // Keys are read one character per byte, as the observations' keys are where the value names the series.
        Serde<String> recordKeys = Serdes.serdeFrom((topic, key) -> key == null ? null
                : RecordKeyDeserializer.opaqueBytes(key), RecordKeyDeserializer.opaque());
        Serializer<InboundObservation> bytesAsTheyCame = (topic, observation) -> observation == null ? null
                : observation.rawValue();
        Serde<InboundObservation> checked = Serdes.serdeFrom(bytesAsTheyCame,
                new SizeCheckedReader(reader, settings.maxKeyBytes(), settings.maxValueBytes()));
        Serde<InboundObservation> asTheyCame = Serdes.serdeFrom(bytesAsTheyCame, reader);
        builder.addStateStore(stateStore(settings, metrics));
        builder.addStateStore(pendingStore());
        // No reset policy of the source's own here either.
        Serde<String> checkedKeys = Serdes.serdeFrom(recordKeys.serializer(),
                SizeCheckedReader.keys(settings.maxKeyBytes()));
        builder.stream(topics.observations(), Consumed.with(checkedKeys, checked).withTimestampExtractor(eventTime)
                        .withName(SOURCE))
                .process(SeriesKeyer::new, Named.as("series-of-the-value"))
                .repartition(Repartitioned.with(recordKeys, asTheyCame).withName(REPARTITION))
                .process(forecastProcessors(settings, model, metrics, clock), Named.as(PROCESSOR), STATE_STORE,
                        PENDING_STORE);
        return builder.build();
    }

    /** The id of the subtopology of {@code topology} whose tasks hold the state store: the forecaster's. */
    public static int storeSubtopology(Topology topology) {
        return topology.describe().subtopologies().stream()
                .filter(subtopology -> subtopology.nodes().stream().anyMatch(node -> node.name().equals(PROCESSOR)))
                .mapToInt(TopologyDescription.Subtopology::id).findFirst().orElseThrow();
    }

    /**
     * The Kafka Streams properties of {@code config}: its pass-through settings, with the dead-letter topic and
     * gru-stream's exception handlers, which every instance needs for bad records to end as dead letters (and
     * outputs that cannot be written to fail the task, not to be dead-lettered), and the RocksDB settings that bound
     * the stores' memory and make a full disk stop the instance ({@link RocksDbSettings}).
     */
    public static Properties streamsProperties(GruStreamConfig config) {
        Properties properties = config.streamsProperties();
        properties.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                config.getString(GruStreamConfig.TOPIC_DEAD_LETTERS));
        // A handler of the user's own under the deprecated key, which Kafka Streams still reads, is kept too.
        if (!properties.containsKey("default.deserialization.exception.handler")) {
            properties.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    DeadLetterDeserializationHandler.class.getName());
        }
        // A handler of the user's own handles what one record caused; gru-stream's stays in front of it, since only
        // it knows that a failed batch must fail the task (see DeadLetterProcessingHandler).
        Object processingHandler = properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterProcessingHandler.class.getName());
        if (processingHandler != null) {
            Class<?> type = processingHandlerClass(processingHandler);
            if (type != DeadLetterProcessingHandler.class) {
                properties.put(DeadLetterProcessingHandler.RECORD_HANDLER_CONFIG, type);
            }
        }
        // Kafka Streams' own would write the input being processed to the dead-letter topic at every failed send.
        if (!properties.containsKey("default.production.exception.handler")) {
            properties.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    OutputFailureHandler.class.getName());
        }
        // The behaviour Kafka Streams 5.0 makes the default (named by its string: the constant is deprecated);
        // without it every start warns.
        properties.putIfAbsent("processing.exception.handler.global.enabled", "true");
        // The internal topics (the stores' changelogs, input.repartition's topic) take records as large as the producer
        // sends; one they refused would fail the task at every retry.
        config.raisedMaxRequestSize().ifPresent(size -> properties.putIfAbsent(
                StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), String.valueOf(size)));
        RocksDbSettings.install(properties, config.getLong(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES));
        return properties;
    }

    /**
     * The class a user's {@code processing.exception.handler} names, checked here as Kafka Streams would check it in
     * that key, so that a misspelt one stops the start rather than every stream thread that makes a task.
     */
    private static Class<?> processingHandlerClass(Object handler) {
        Class<?> type;
        try {
            type = handler instanceof Class<?> given ? given
                    : Utils.loadClass(handler.toString().strip(), Object.class);
        } catch (ClassNotFoundException e) {
            throw new ConfigException(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, handler,
                    "no such class on the class path");
        }
        if (!ProcessingExceptionHandler.class.isAssignableFrom(type)) {
            throw new ConfigException(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, handler,
                    "is not a " + ProcessingExceptionHandler.class.getName());
        }
        return type;
    }

    private static StoreBuilder<KeyValueStore<String, KeyState>> stateStore(ForecasterSettings settings,
            ForecasterMetrics metrics) {
        StoreBuilder<KeyValueStore<String, KeyState>> builder = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(),
                new KeyStateSerde(metrics::unreadableState))
                .withLoggingEnabled(Map.of());
        return settings.storeCaching() ? builder.withCachingEnabled() : builder.withCachingDisabled();
    }

    /**
     * The batch buffer's store, always cached: its slots are rewritten many times between two commits, and the
     * record cache sends only each slot's last value to the changelog.
     */
    private static StoreBuilder<KeyValueStore<Integer, byte[]>> pendingStore() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.Integer(),
                Serdes.ByteArray()).withLoggingEnabled(Map.of()).withCachingEnabled();
    }
}
