package dev.grustream.service;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.http.GruStreamHttpServer;
import dev.grustream.http.KafkaStreamsKeyStateSource;
import dev.grustream.http.KeyStateSource;
import dev.grustream.http.ModelStatus;
import dev.grustream.model.GruModel;
import dev.grustream.output.FlatRecords;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.topology.ActiveModel;
import dev.grustream.topology.ForecasterMetrics;
import dev.grustream.topology.ForecasterSettings;
import dev.grustream.topology.GruStreamTopology;
import dev.grustream.topology.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gru-stream instance: the topology in a {@link KafkaStreams} client, the model it serves (hot-swapped
 * from {@code model.topic} when set), its HTTP endpoints and its metrics.
 *
 * <p>Lifecycle: {@link #create} builds everything without connecting to Kafka, and binds the HTTP port (Kafka
 * Streams' {@code application.server} must name it); {@link #start} checks the topics, reads the models topic,
 * checks that the registry takes the output schemas, and starts processing; {@link #close()} stops it all cleanly
 * (committing what was processed) and may be called from a shutdown hook. A stream thread that dies of an
 * unexpected error is replaced, so that work resumes from the last commit. Thread-safe.
 */
public final class GruStreamService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GruStreamService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FAILED_START_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** The setting Kafka before 3.6 bounds a record's timestamp by, either side of the clock; gone in Kafka 4.0. */
    private static final String LEGACY_TIMESTAMP_DIFFERENCE = "message.timestamp.difference.max.ms";
    /** How long {@link #start} waits in all for the registry to take the output schemas before it goes on. */
    private static final Duration OUTPUT_SCHEMA_WAIT = Duration.ofSeconds(15);

    private final GruStreamConfig config;
    private final Topics topics;
    private final ActiveModel activeModel;
    private final ModelSwitch models;
    private final KafkaStreams streams;
    private final PrometheusMeterRegistry prometheus;
    private final List<AutoCloseable> resources;
    private final GruStreamHttpServer http;
    private final ModelTopicWatcher watcher;
    private final AtomicBoolean closing;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private GruStreamService(GruStreamConfig config, Topics topics, ActiveModel activeModel, ModelSwitch models,
            KafkaStreams streams, PrometheusMeterRegistry prometheus, List<AutoCloseable> resources,
            GruStreamHttpServer http, ModelTopicWatcher watcher, AtomicBoolean closing) {
        this.config = config;
        this.topics = topics;
        this.activeModel = activeModel;
        this.models = models;
        this.streams = streams;
        this.prometheus = prometheus;
        this.resources = resources;
        this.http = http;
        this.watcher = watcher;
        this.closing = closing;
    }

    /**
     * Builds an instance from {@code config}, serving {@code model}.
     *
     * @param meters a registry that receives every meter besides the service's own Prometheus registry (tests read
     *     it); pass an empty {@link CompositeMeterRegistry} for none
     */
    public static GruStreamService create(GruStreamConfig config, GruModel model, MeterRegistry meters,
            Clock clock) {
        return create(config, model, "start-up", meters, clock);
    }

    /**
     * Builds an instance from {@code config}, serving {@code model}, which came from {@code modelSource} (for
     * example {@link ModelSource#describe}).
     *
     * @param meters a registry that receives every meter besides the service's own Prometheus registry
     * @throws OperatorException if the model cannot run on the configured backend, or the HTTP port cannot be bound
     */
    public static GruStreamService create(GruStreamConfig config, GruModel model, String modelSource,
            MeterRegistry meters, Clock clock) {
        if (config.getString(GruStreamConfig.OUTPUT_LAYOUT).equals("flat")) {
            try {
                FlatRecords.checkTargets(model.spec().targets());
            } catch (IllegalArgumentException e) {
                throw new OperatorException("output.layout=flat: " + e.getMessage());
            }
        }
        ForecasterSettings settings = ForecasterSettings.from(config);
        Topics.from(config).checkInputMapping(model.spec().features());
        // Checked here, as an offered model is: otherwise every stream thread would fail on its first record.
        ModelSwitch.trialStep(model, settings.backend()).ifPresent(problem -> {
            throw new OperatorException("The model " + model.spec().name() + " version " + model.spec().version()
                    + " cannot be served: " + problem);
        });
        // Before any meter or JVM listener exists: a refused setting here leaves the caller nothing to release.
        Properties streamsProps = GruStreamTopology.streamsProperties(config);
        RegistryWaits.beyondPollInterval(config, streamsProps).ifPresent(LOG::warn);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CompositeMeterRegistry registry = new CompositeMeterRegistry(io.micrometer.core.instrument.Clock.SYSTEM,
                List.of(prometheus, meters));
        List<AutoCloseable> resources = new ArrayList<>();
        resources.add(registry::close);
        bindJvmMetrics(registry, resources);
        // disk_free_bytes and disk_total_bytes of the state stores' file system: a full disk stops the instance.
        new DiskSpaceMetrics(Path.of(streamsProps.getProperty(StreamsConfig.STATE_DIR_CONFIG,
                System.getProperty("java.io.tmpdir"))).toFile()).bindTo(registry);

        Topics topics = Topics.from(config);
        ActiveModel activeModel = new ActiveModel(model);
        ModelSwitch models = new ModelSwitch(activeModel, modelSource, settings.backend(), registry, clock);
        if (settings.repartition() && settings.rules().lateGraceMs() == 0) {
            LOG.warn("input.repartition is on and late.grace.ms is 0: records of one series read from several"
                    + " partitions meet in the order their tasks send them, and one that arrives after a later event"
                    + " of its series is dead-lettered as late; give late.grace.ms room for that (docs/operations.md)");
        }
        config.unknownTopicSettings().forEach(key -> LOG.warn("Setting {} is neither gru-stream's nor a topic setting"
                + " Kafka names: Kafka Streams gives it to every topic it creates, and a broker that does not know it"
                + " refuses it, which fails the stream threads (is it misspelt?)", key));
        // Set by close(): a streams client that stopped because it was asked to is not a failed one.
        AtomicBoolean closing = new AtomicBoolean();
        GruStreamHttpServer http = null;
        KafkaStreams streams = null;
        try {
            if (config.getBoolean(GruStreamConfig.HTTP_ENABLED)) {
                http = GruStreamHttpServer.start(httpSettings(config), models, prometheus, closing::get);
                streamsProps.put(StreamsConfig.APPLICATION_SERVER_CONFIG, http.advertisedEndpoint());
            }
            ForecasterMetrics metrics = new ForecasterMetrics(registry,
                    Set.copyOf(config.getList(GruStreamConfig.METRICS_WATCHED_KEYS)));
            metrics.addTo(streamsProps);
            Topology topology = GruStreamTopology.build(settings, topics, activeModel, metrics, clock);
            streams = newKafkaStreams(topology, streamsProps);
            // Read once: each StreamsConfig made logs every setting.
            StreamsConfig streamsConfig = new StreamsConfig(streamsProps);
            streams.setUncaughtExceptionHandler(new StreamThreadFailures(stateDir(streamsProps),
                    streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG), clock, registry));
            streams.setGlobalStateRestoreListener(new RestoreLogger());
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            resources.add(0, streamsMetrics);
            KafkaStreamsKeyStateSource keyStates = new KafkaStreamsKeyStateSource(streams,
                    GruStreamTopology.storeSubtopology(topology),
                    streamsConfig.getLong(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG));
            Gauge.builder("gru.keys.stored", keyStates, GruStreamService::storedKeys).strongReference(true)
                    .description("Keys in this instance's active state stores (the stores' estimate)")
                    .register(registry);
            if (http != null) {
                http.attach(keyStates);
            }
            GruStreamService service = new GruStreamService(config, topics, activeModel, models, streams, prometheus,
                    resources, http, watcher(config, models), closing);
            streams.setStateListener((newState, oldState) -> {
                keyStates.onStateChange(newState);
                service.onStateChange(newState, oldState);
            });
            return service;
        } catch (RuntimeException | Error e) {
            // What was built before the failure (the HTTP port taken, the model watcher's consumer refusing its
            // settings, say) holds threads, a state directory lock, the JVM's GC listeners and meters; a caller that
            // carries on must not inherit them.
            if (http != null) {
                http.close();
            }
            if (streams != null) {
                // Not zero: that would leave the state directory's lock to a background thread, and a caller that
                // tries again on the same directory would find it locked. A client never started closes at once.
                streams.close(CloseOptions.timeout(FAILED_START_CLOSE_TIMEOUT));
            }
            closeAll(resources);
            throw e;
        }
    }

    /**
     * The Kafka Streams client, or an {@link OperatorException} saying in one line why it cannot be made: the
     * state directory is unusable, or a client setting (security, say) is wrong; or Kafka's {@link ConfigException}
     * for a setting it refuses as written.
     */
    private static KafkaStreams newKafkaStreams(Topology topology, Properties streamsProps) {
        try {
            return new KafkaStreams(topology, streamsProps);
        } catch (ConfigException e) {
            // A setting Kafka Streams or a client of it refuses (num.stream.threads=two): its message names it.
            throw e;
        } catch (KafkaException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ProcessorStateException) {
                    throw new OperatorException("Cannot use the state directory (" + StreamsConfig.STATE_DIR_CONFIG
                            + " = " + stateDir(streamsProps) + "): " + t.getMessage()
                            + systemReason(streamsProps.getProperty(StreamsConfig.STATE_DIR_CONFIG)), e);
                }
            }
            throw ClientSettings.cannotCreateClients(e);
        }
    }

    /**
     * Why the operating system will not let {@code stateDir} be written (" (Read-only file system)", say), found by
     * trying, or the empty string: Kafka Streams' own message does not say, as it learns only that a directory could
     * not be made.
     */
    private static String systemReason(String stateDir) {
        if (stateDir == null) {
            return "";
        }
        Path path = Path.of(stateDir);
        if (Files.exists(path) && !Files.isDirectory(path)) {
            return " (it is a file, not a directory)";
        }
        try {
            Path dir = Files.createDirectories(path);
            Files.delete(Files.createTempFile(dir, "gru-stream-probe", ".tmp"));
            return "";
        } catch (FileSystemException e) {
            return " (" + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()) + ")";
        } catch (IOException | RuntimeException e) {
            return " (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static String stateDir(Properties streamsProps) {
        return streamsProps.getProperty(StreamsConfig.STATE_DIR_CONFIG, "Kafka Streams' default, under java.io.tmpdir");
    }

    /** Closes the instance when Kafka Streams stopped by itself after a fatal error ({@link StreamThreadFailures}). */
    private void onStateChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.ERROR && !closing.get()) {
            failed.set(true);
            LOG.error("gru-stream stopped processing after a fatal error (logged above); shutting down");
            // Not on this thread: Kafka Streams reports the state from one of its own, which close() waits for.
            Thread shutdown = new Thread(this::close, "gru-stream-failure-shutdown");
            shutdown.start();
        }
    }

    private static void bindJvmMetrics(MeterRegistry registry, List<AutoCloseable> resources) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        resources.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private static double storedKeys(KeyStateSource keyStates) {
        if (keyStates.state() != KafkaStreams.State.RUNNING) {
            return Double.NaN;
        }
        try {
            return keyStates.approximateCount();
        } catch (RuntimeException e) {
            // The stores are moving (a rebalance began after the state was read): no value for this scrape.
            return Double.NaN;
        }
    }

    private static GruStreamHttpServer.Settings httpSettings(GruStreamConfig config) {
        Password token = config.getPassword(GruStreamConfig.HTTP_AUTH_TOKEN);
        return new GruStreamHttpServer.Settings(config.getString(GruStreamConfig.HTTP_BIND_ADDRESS),
                config.getInt(GruStreamConfig.HTTP_PORT), config.advertisedHost(),
                Duration.ofMillis(config.getLong(GruStreamConfig.HTTP_FORWARD_TIMEOUT_MS)),
                config.getInt(GruStreamConfig.INPUT_MAX_KEY_BYTES),
                GruStreamHttpServer.forwardedAnswerLimit(GruStreamConfig.producerMaxRequestSize(config.originals()),
                        config.getInt(GruStreamConfig.INPUT_MAX_KEY_BYTES)),
                config.getDouble(GruStreamConfig.ANOMALY_THRESHOLD), AlertPolicy.NEVER,
                token.value().isEmpty() ? null : token);
    }

    private static ModelTopicWatcher watcher(GruStreamConfig config, ModelSwitch models) {
        String topic = config.getString(GruStreamConfig.MODEL_TOPIC);
        if (topic.isBlank()) {
            return null;
        }
        return new ModelTopicWatcher(config.passThrough(), topic, config.getString(GruStreamConfig.MODEL_NAME),
                models, config.passThrough().get(StreamsConfig.APPLICATION_ID_CONFIG) + "-model-watcher");
    }

    /**
     * Checks that the topics exist (creating the missing ones as {@code topics} says; warning about a models topic
     * whose retention can remove its newest model), reads the models topic to its end, checks that the registry takes
     * the output topics' value schemas (Avro outputs; {@link OutputSchemaCheck}), then starts processing; does
     * nothing once {@link #close()} was called, from any thread.
     *
     * @throws OperatorException naming the missing topics, or saying why they cannot be checked, or naming the output
     *     whose schema the registry refuses
     */
    public void start(TopicCreation topics) {
        if (closing.get()) {
            // A stop requested while the instance was being built (SIGTERM during start-up): nothing to start.
            return;
        }
        try {
            ensureTopics(topics);
            if (watcher != null) {
                watcher.catchUp(Duration.ofMillis(config.getLong(GruStreamConfig.MODEL_TOPIC_CATCHUP_TIMEOUT_MS)));
            }
            // With the model the catch-up chose, before the watcher can change it; not once a stop was asked for.
            if (!config.getString(GruStreamConfig.OUTPUT_FORMAT).equals("json") && !closing.get()) {
                OutputSchemaCheck.check(this.topics, models.snapshot().active().spec(), OUTPUT_SCHEMA_WAIT);
            }
            if (watcher != null) {
                watcher.start();
            }
        } catch (OperatorException e) {
            if (closing.get()) {
                // The stop cut the start short (SIGTERM while the models topic was read): no start was refused.
                LOG.info("Stopped while starting: {}", e.getMessage());
                return;
            }
            throw e;
        }
        ModelStatus.Snapshot serving = models.snapshot();
        GruModel model = serving.active();
        LOG.info("Starting gru-stream {} with model {}/{} from {} ({} features, {} targets, {} layers of {} units)",
                config.passThrough().get(StreamsConfig.APPLICATION_ID_CONFIG), model.spec().name(),
                model.spec().version(), serving.source(), model.spec().featureCount(),
                model.spec().targetCount(), model.spec().numLayers(), model.spec().hiddenSize());
        synchronized (this) {
            // Under close()'s lock: a client that close() has stopped cannot be started.
            if (!closing.get()) {
                streams.start();
            }
        }
    }

    private void ensureTopics(TopicCreation creation) {
        OptionalInt requestSize = config.raisedMaxRequestSize();
        Map<String, String> durability = TopicCreation.durabilityOf(config.passThrough());
        List<NewTopic> wanted = new ArrayList<>();
        for (String name : List.of(topics.observations(), topics.forecasts(), topics.alerts(), topics.deadLetters())) {
            Map<String, String> settings = new HashMap<>(durability);
            if (name.equals(topics.deadLetters()) && requestSize.isPresent()) {
                // Dead letters are cut to fit max.request.size, not the brokers' default: the topic must take them.
                settings.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(requestSize.getAsInt()));
            }
            wanted.add(new NewTopic(name, creation.partitions().isPresent()
                    ? Optional.of(creation.partitions().getAsInt()) : Optional.empty(),
                    creation.replicationFactor()).configs(settings));
        }
        String modelTopic = config.getString(GruStreamConfig.MODEL_TOPIC);
        if (!modelTopic.isBlank()) {
            wanted.add(ModelTopic.newTopic(modelTopic, config.getInt(GruStreamConfig.MODEL_TOPIC_MAX_BYTES),
                    creation.replicationFactor(), durability));
        }
        Map<String, Object> adminProps = ClientSettings.admin(config.passThrough());
        try (Admin admin = ClientSettings.create(() -> Admin.create(adminProps))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                createMissing(admin, missing, creation);
            }
            if (!modelTopic.isBlank() && missing.stream().noneMatch(t -> t.name().equals(modelTopic))) {
                // A models topic created just now is compacted: only one made elsewhere needs looking at (one made
                // elsewhere between the listing and the creation goes unchecked; the next start checks it).
                warnIfModelsCanExpire(admin, modelTopic);
            }
            warnOfWrittenTopics(admin, existing, requestSize);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("Interrupted while checking the topics", e);
        } catch (ExecutionException | TimeoutException e) {
            String hint = e.getCause() instanceof SslAuthenticationException
                    ? " (check ssl.truststore.*: the brokers' certificate must be trusted)" : "";
            throw new OperatorException("Cannot check the topics on " + adminProps.get("bootstrap.servers")
                    + ": " + e.getMessage() + ": " + StreamThreadFailures.deepestMessage(e) + hint, e);
        }
    }

    private static void createMissing(Admin admin, List<NewTopic> missing, TopicCreation creation)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (!creation.create()) {
            throw new OperatorException("These topics do not exist: " + missing.stream().map(NewTopic::name)
                    .toList() + ". Create them, or start with --create-topics to create them (with"
                    + " --partitions and --replication-factor, or the brokers' defaults). Where the brokers check"
                    + " ACLs, a topic this principal may not DESCRIBE is listed as missing too");
        }
        for (Map.Entry<String, KafkaFuture<Void>> entry : admin.createTopics(missing).values().entrySet()) {
            try {
                entry.getValue().get(60, TimeUnit.SECONDS);
                LOG.info("Created topic {} ({} partitions, replication factor {})", entry.getKey(),
                        creation.partitions().isPresent() ? creation.partitions().getAsInt()
                                : "the brokers' default",
                        creation.replicationFactor().map(String::valueOf).orElse("the brokers' default"));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    /**
     * The topics gru-stream writes records up to {@code max.request.size} to, besides its outputs: the dead letters,
     * the stores' changelogs, the repartition topic.
     */
    private List<String> writtenTopics() {
        String application = config.passThrough().get(StreamsConfig.APPLICATION_ID_CONFIG).toString();
        List<String> written = new ArrayList<>(List.of(topics.deadLetters(),
                application + "-" + GruStreamTopology.STATE_STORE + "-changelog",
                application + "-" + GruStreamTopology.PENDING_STORE + "-changelog"));
        if (config.getBoolean(GruStreamConfig.INPUT_REPARTITION)) {
            written.add(application + "-" + GruStreamTopology.REPARTITION_TOPIC);
        }
        return written;
    }

    /**
     * Logs the settings of the topics gru-stream writes that would fail a task at every retry. One made before a
     * raised {@code max.request.size} (listed in {@code existing}, before the creation) whose
     * {@code max.message.bytes} is below it: gru-stream gives the limit to the topics it creates, but Kafka Streams
     * never changes an internal topic that exists, so it refuses the largest records. And, created just now or not
     * (a topic takes the brokers' {@code log.message.timestamp.before.max.ms}), one that refuses records stamped long
     * before the brokers' clock ({@code message.timestamp.before.max.ms} with {@code CreateTime}): forecasts and
     * alerts carry their observation's event time, Kafka Streams stamps the changelog and repartition records with
     * it, and dead letters keep their input's timestamp, so an observation older than the bound is refused. Advisory,
     * as {@link #warnIfModelsCanExpire}.
     */
    private void warnOfWrittenTopics(Admin admin, Set<String> existing, OptionalInt requestSize)
            throws InterruptedException {
        List<String> internal = writtenTopics().stream().filter(existing::contains).toList();
        Set<String> written = new LinkedHashSet<>(List.of(topics.forecasts(), topics.alerts(), topics.deadLetters()));
        written.addAll(internal);
        List<ConfigResource> resources = written.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        Map<ConfigResource, KafkaFuture<Config>> described;
        try {
            described = admin.describeConfigs(resources).values();
        } catch (RuntimeException e) {
            LOG.info("Could not read the settings of {} ({}); their max.message.bytes and timestamp bounds were not"
                    + " checked", written, e.toString());
            return;
        }
        // Topic by topic: a principal may read the settings of its internal topics and not of outputs it shares.
        Map<ConfigResource, Config> settings = new LinkedHashMap<>();
        for (Map.Entry<ConfigResource, KafkaFuture<Config>> entry : described.entrySet()) {
            try {
                settings.put(entry.getKey(), entry.getValue().get(60, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.info("Could not read the settings of topic {} ({}); its max.message.bytes and timestamp bound"
                        + " were not checked", entry.getKey().name(),
                        e instanceof ExecutionException ? e.getCause().toString() : e.toString());
            }
        }
        settings.forEach((resource, topic) -> {
            ConfigEntry limit = topic.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (requestSize.isPresent() && internal.contains(resource.name()) && limit != null
                    && Long.parseLong(limit.value()) < requestSize.getAsInt()) {
                LOG.warn("Topic {} takes records of at most {} bytes, fewer than max.request.size ({}): its"
                        + " largest records will be refused and their task fail at every retry. Raise it:"
                        + " kafka-configs.sh --alter --entity-type topics --entity-name {} --add-config"
                        + " max.message.bytes={}", resource.name(), limit.value(), requestSize.getAsInt(),
                        resource.name(), requestSize.getAsInt());
            }
            ConfigEntry type = topic.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            // Brokers before Kafka 3.6 know only the older setting, which later 3.x brokers read while the newer one
            // is unset (4.0 dropped it).
            Optional<ConfigEntry> bound = Stream.of(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG,
                            LEGACY_TIMESTAMP_DIFFERENCE).map(topic::get)
                    .filter(entry -> entry != null && entry.value() != null
                            && Long.parseLong(entry.value()) < Long.MAX_VALUE)
                    .findFirst();
            if (type != null && "CreateTime".equals(type.value()) && bound.isPresent()) {
                boolean eitherWay = bound.get().name().equals(LEGACY_TIMESTAMP_DIFFERENCE);
                LOG.warn("Topic {} refuses records stamped more than {} {} the brokers' clock ({}={}):"
                        + " gru-stream writes records stamped with an observation's event time there, so an"
                        + " observation {} than that fails its task at every retry and stops its partition."
                        + " To forecast such events, remove the bound or give the topic"
                        + " message.timestamp.type=LogAppendTime", resource.name(),
                        Duration.ofMillis(Long.parseLong(bound.get().value())),
                        eitherWay ? "either side of" : "before", bound.get().name(), bound.get().value(),
                        eitherWay ? "further from the clock" : "older");
            }
        });
    }

    /**
     * Logs a models topic whose retention can remove its newest model. Advisory: when its settings cannot be read (a
     * principal without DESCRIBE_CONFIGS, brokers slow to answer), it says so and the start goes on.
     */
    private static void warnIfModelsCanExpire(Admin admin, String topic) throws InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config settings = admin.describeConfigs(List.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource);
            ModelTopic.expiryRisk(topic, settings).ifPresent(LOG::warn);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.info("Could not read the settings of the models topic {} ({}); its retention was not checked", topic,
                    e instanceof ExecutionException ? e.getCause().toString() : e.toString());
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    public ActiveModel activeModel() {
        return activeModel;
    }

    /** The gate through which models are swapped in: what the models topic feeds, and what a demo may call. */
    public ModelSwitch models() {
        return models;
    }

    public Topics topics() {
        return topics;
    }

    /** The Prometheus registry behind {@code /metrics}. */
    public PrometheusMeterRegistry prometheus() {
        return prometheus;
    }

    /** The port the HTTP endpoints listen on, or empty when {@code http.enabled} is false. */
    public OptionalInt httpPort() {
        return http == null ? OptionalInt.empty() : OptionalInt.of(http.port());
    }

    /** {@code host:port} at which other instances reach this one's HTTP endpoints; empty when disabled. */
    public Optional<String> httpEndpoint() {
        return http == null ? Optional.empty() : Optional.of(http.advertisedEndpoint());
    }

    /** Whether the instance stopped by itself after a fatal error rather than because it was closed. */
    public boolean failed() {
        return failed.get();
    }

    /** Blocks until {@link #close()} has run (also when the instance stopped by itself, see {@link #failed()}). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops processing cleanly: processed work and the batch buffer are committed, stores are closed, and the
     * instance leaves the consumer group so that its partitions move to the other instances at once rather than
     * after the session timeout. The HTTP endpoints stop last, so that health reports the shutdown until the end.
     */
    @Override
    public synchronized void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        LOG.info("Stopping gru-stream");
        try {
            if (watcher != null) {
                try {
                    watcher.close();
                } catch (RuntimeException e) {
                    LOG.warn("Closing the models topic watcher failed: {}", e.toString());
                }
            }
            boolean clean = streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            if (!clean) {
                LOG.warn("Kafka Streams did not stop within {}", CLOSE_TIMEOUT);
            }
            closeAll(resources);
            if (http != null) {
                http.close();
            }
        } finally {
            // Whatever failed above, awaitStop() returns, so that run exits and a supervisor can restart it.
            stopped.countDown();
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
