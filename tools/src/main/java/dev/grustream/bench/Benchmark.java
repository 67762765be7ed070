package dev.grustream.bench;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.backtest.TopologyReplay;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.config.Secrets;
import dev.grustream.forecast.Event;
import dev.grustream.forecast.Forecaster;
import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateCodec;
import dev.grustream.forecast.Outcome;
import dev.grustream.forecast.Refusal;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.RandomModels;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import dev.grustream.service.ClientSettings;
import dev.grustream.service.ModelSource;
import dev.grustream.service.TopicCreation;
import dev.grustream.topology.ActiveModel;
import dev.grustream.topology.ForecasterMetrics;
import dev.grustream.topology.ForecasterSettings;
import dev.grustream.topology.GruStreamTopology;
import dev.grustream.topology.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Measures what gru-stream costs against what Kafka Streams itself costs: on the same preloaded observations, a
 * {@link BaselineTopology} (trivial per-key update) and the gru-stream topology each run over the first records to
 * warm the JVM up, unmeasured, then each runs to the end; then each runs again under a steady offered load of half its
 * own warm maximum, for latency.
 *
 * <p>Measured per topology: records per second from start to the last committed output (overall) and over the
 * second half (warm), process and stream-thread CPU seconds per 1,000 records, end-to-end latency (event time of
 * the observation, which the load sets to the send time, to the moment its forecast is readable with
 * read_committed), heap after a full GC and resident memory; for gru-stream also the time a fresh instance takes to
 * restore every key's state from the changelog.
 *
 * <p>Lifecycle: create, {@link #run} once. Not thread-safe.
 */
public final class Benchmark {

    /** The record cache of the stores compared: each topology's own default, or on or off for both. */
    public enum StoreCache {
        /** Kafka Streams' default for the baseline (cached), gru-stream's for its key-state store (uncached). */
        DEFAULT,
        ON,
        OFF
    }

    /** The shape of the random GRU gru-stream runs. */
    public enum ModelShape {
        /** The bundled model's: 12 steps ahead by a direct head, calendar inputs, per-key normalisation. */
        BUNDLED,
        /**
         * One step ahead from the value alone, normalised around 0: what {@code bench} ran until 2026-12-06, kept to
         * compare with builds of before then.
         */
        ONE_STEP
    }

    /** How the preloaded observations are written, and so read. */
    public enum InputFormat {
        /** gru-stream's own Avro Observations, keyed by their series: {@code input.format=avro}. */
        AVRO,
        /**
         * JSON objects naming their series, event time and value ({@code {"series": "key-0000001", "time": ...,
         * "value": ...}}), keyed by their series, read as a team's own records are: {@code input.format=json} with
         * {@code input.key.fields=series}, which {@code input.repartition} needs.
         */
        JSON
    }

    /** What to measure. */
    public record Options(String bootstrapServers, long records, long warmUpRecords, int keys, int partitions,
            InputFormat input, String guarantee, int hidden, int layers, ModelShape modelShape, int batchSize,
            long lingerMs, StoreCache cache, String backend, int latencySeconds, double latencyRate,
            long commitIntervalMs, boolean runBaseline, boolean runGru, long seed, Map<String, String> settings) {
        /**
         * @param warmUpRecords how many of the records each topology processes, in an instance of its own, before
         *     any is measured
         * @param settings more gru-stream settings for both topologies (learner.enabled=false, say)
         */
        public Options {
            settings = Map.copyOf(settings);
        }

        /** These options as reports and result files show them: secret settings hidden, URLs without credentials. */
        public Options shown() {
            Map<String, String> shown = new TreeMap<>();
            settings.forEach((key, value) -> shown.put(key, Secrets.redact(key, value)));
            return new Options(Secrets.redact("bootstrap.servers", bootstrapServers), records, warmUpRecords, keys,
                    partitions, input, guarantee, hidden, layers, modelShape, batchSize, lingerMs, cache, backend,
                    latencySeconds, latencyRate, commitIntervalMs, runBaseline, runGru, seed, shown);
        }
    }

    /**
     * What one topology measured. Latency fields are -1 when no latency run was made; {@code achievedPerSecond} is the
     * rate at which forecasts arrived during the latency run's measured seconds, below {@code offeredPerSecond} when
     * the topology fell behind the load or the load generator could not send that fast.
     */
    public record Result(String topology, long records, double overallPerSecond, double warmPerSecond,
            double processCpuPer1k, double streamCpuPer1k, double offeredPerSecond, double achievedPerSecond,
            long latencyP50,
            long latencyP99, long latencyMax, long latencySamples, long heapMiB, long rssMiB,
            double restoreSeconds, long restoredRecords) {
    }

    private static final long MINUTE = 60_000;
    /** The names of the two topologies in every {@link Result}. */
    public static final String BASELINE = "baseline";
    public static final String GRU_STREAM = "gru-stream";

    /** Closing leaves the group, so that the next instance of an application id does not wait for a timeout. */
    private static final CloseOptions CLOSE = CloseOptions.timeout(Duration.ofSeconds(60))
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);

    private final Options options;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private String registry;
    private final GruModel model;
    private Consumer<String> log = line -> { };
    private Runnable stopCheck = () -> { };

    public Benchmark(Options options) {
        this.options = options;
        this.model = model(options.modelShape(), options.hidden(), options.layers(), options.seed());
    }

    /**
     * The model gru-stream runs: random weights of {@code shape} at the asked size. In the bundled model's shape (12
     * steps ahead, calendar inputs, per-key normalisation) each key learns, stores and writes per event what it does
     * at the service's defaults.
     */
    static GruModel model(ModelShape shape, int hidden, int layers, long seed) {
        if (shape == ModelShape.ONE_STEP) {
            return RandomModels.random(hidden, layers, seed);
        }
        ModelSpec bundled = ModelSource.bundled().spec();
        return RandomModels.random(bundled.toBuilder().name("bench-random").version("h" + hidden + "-l" + layers)
                .hiddenSize(hidden).numLayers(layers).build(), seed);
    }

    /**
     * Runs the benchmark, reporting progress to {@code log}, and returns one result per topology. {@code stopCheck}
     * is run while it waits and may throw to stop it: what the run at hand made (its instance, its state) is closed
     * and removed as the exception passes.
     */
    public List<Result> run(Consumer<String> progress, Runnable stopCheck) throws Exception {
        this.log = progress;
        this.stopCheck = stopCheck;
        TopologyReplay.quietTemporaryDirectoryWarning();
        try (InMemorySchemaRegistryServer registryServer = InMemorySchemaRegistryServer.start(0)) {
            registry = registryServer.url();
            String input = "bench-in-" + runId;
            createTopics(Map.of(input, options.partitions()));
            preload(input);
            warmUp(input);
            List<Result> results = new ArrayList<>();
            for (String topology : measured()) {
                results.add(measure(topology, input));
            }
            return results;
        }
    }

    /**
     * Runs each topology to be measured over the first records of {@code input} and discards what it measured: the
     * topology measured first would otherwise pay alone for the JIT's compiling of the Kafka, Avro and RocksDB code
     * both run, which made the baseline's figures the worse for running first.
     */
    private void warmUp(String input) throws Exception {
        long records = Math.min(options.warmUpRecords(), options.records());
        if (records <= 0) {
            return;
        }
        for (String topology : measured()) {
            log.accept("== " + topology + ": warm-up over " + records + " records, not measured");
            Path stateDir = Files.createTempDirectory("gru-bench-warm-up");
            try {
                throughput(topology, "bench-warm-up-" + topology + "-" + runId, input, stateDir, records);
            } finally {
                Utils.delete(stateDir.toFile());
            }
        }
    }

    private List<String> measured() {
        List<String> topologies = new ArrayList<>();
        if (options.runBaseline()) {
            topologies.add(BASELINE);
        }
        if (options.runGru()) {
            topologies.add(GRU_STREAM);
        }
        return topologies;
    }

    private Result measure(String topology, String input) throws Exception {
        log.accept("== " + topology + ": throughput over " + options.records() + " records");
        String appId = "bench-" + topology + "-" + runId;
        Path stateDir = Files.createTempDirectory("gru-bench");
        try {
            Throughput throughput = throughput(topology, appId, input, stateDir, options.records());
            double restoreSeconds = Double.NaN;
            long restored = 0;
            if (topology.equals(GRU_STREAM)) {
                long[] restoredRecords = new long[1];
                restoreSeconds = restore(appId, input, restoredRecords);
                restored = restoredRecords[0];
            }
            double offered = options.latencyRate() > 0 ? options.latencyRate() : throughput.warmPerSecond / 2;
            Latency latency = options.latencySeconds() > 0 ? latency(topology, offered) : Latency.NONE;
            return new Result(topology, options.records(), throughput.overallPerSecond, throughput.warmPerSecond,
                    throughput.processCpuPer1k, throughput.streamCpuPer1k, latency.offered, latency.achieved,
                    latency.p50,
                    latency.p99, latency.max, latency.samples, throughput.heapMiB, throughput.rssMiB, restoreSeconds,
                    restored);
        } finally {
            Utils.delete(stateDir.toFile());
        }
    }

    private record Throughput(double overallPerSecond, double warmPerSecond, double processCpuPer1k,
            double streamCpuPer1k, long heapMiB, long rssMiB) {
    }

    /** Runs {@code topology} from the start of {@code input} until it has written {@code records} outputs. */
    private Throughput throughput(String topology, String appId, String input, Path stateDir, long records)
            throws Exception {
        String output = appId + "-out";
        createTopics(Map.of(output, options.partitions(), appId + "-alerts", 1, appId + "-dead-letters", 1));
        GruStreamConfig config = config(appId, input, output, stateDir);
        try (OutputCounter counter = new OutputCounter(output, records)) {
            counter.start();
            return throughput(topology, config, counter, records);
        }
    }

    private Throughput throughput(String topology, GruStreamConfig config, OutputCounter counter, long records)
            throws Exception {
        long cpuBefore = processCpuNanos();
        long started = System.nanoTime();
        KafkaStreams streams = new KafkaStreams(topology(topology, config),
                GruStreamTopology.streamsProperties(config));
        try {
            streams.start();
            long limitSeconds = 180 + records / 2_000;
            long deadline = started + TimeUnit.SECONDS.toNanos(limitSeconds);
            while (counter.count() < records) {
                if (streams.state() == KafkaStreams.State.ERROR) {
                    throw new OperatorException(topology + " failed after " + counter.count() + " of " + records
                            + " outputs: its stream thread stopped (see the errors above)");
                }
                if (System.nanoTime() > deadline) {
                    // An overloaded host or a struggling broker (its errors are logged above) stalls a run, not a
                    // bug: say so in one line rather than as an internal error.
                    throw new OperatorException(topology + " wrote " + counter.count() + " of " + records
                            + " outputs in " + limitSeconds + " s, the most a run may take: the machine or the"
                            + " broker was too slow (see any broker or producer errors above); run the benchmark"
                            + " again, or with fewer --records");
                }
                stopCheck.run();
                Thread.sleep(20);
            }
            long cpu = processCpuNanos() - cpuBefore;
            long streamCpu = streamThreadCpuNanos(streams);
            double overall = records / ((counter.lastAt() - started) / 1e9);
            // Over what came after the poll that passed the halfway mark: that poll may have brought far more than
            // half, and the whole second half in one poll would make the rate infinite (the overall rate then).
            double warm = counter.lastAt() > counter.halfAt()
                    ? (counter.count() - counter.halfCount()) / ((counter.lastAt() - counter.halfAt()) / 1e9) : overall;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
            log.accept(String.format(Locale.ROOT, "   %,.0f records/s overall, %,.0f warm", overall, warm));
            return new Throughput(overall, warm, cpu / 1e9 / (records / 1000.0),
                    streamCpu / 1e9 / (records / 1000.0), heap, residentMiB());
        } finally {
            streams.close(CLOSE);
        }
    }

    /** Starts a fresh instance of {@code appId} on an empty state directory and times its restoration. */
    private double restore(String appId, String input, long[] restored) throws Exception {
        Path fresh = Files.createTempDirectory("gru-bench-restore");
        try {
            GruStreamConfig config = config(appId, input, appId + "-out", fresh);
            KafkaStreams streams = new KafkaStreams(topology(GRU_STREAM, config),
                    GruStreamTopology.streamsProperties(config));
            AtomicLong count = new AtomicLong();
            streams.setGlobalStateRestoreListener(new StateRestoreListener() {
                @Override
                public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
                }

                @Override
                public void onBatchRestored(TopicPartition partition, String store, long end, long records) {
                    count.addAndGet(records);
                }

                @Override
                public void onRestoreEnd(TopicPartition partition, String store, long total) {
                }
            });
            long started = System.nanoTime();
            streams.start();
            try {
                while (streams.state() != KafkaStreams.State.RUNNING) {
                    if (streams.state() == KafkaStreams.State.ERROR) {
                        throw new OperatorException("the fresh instance failed while it restored the state (see the"
                                + " errors above)");
                    }
                    if (System.nanoTime() - started > TimeUnit.MINUTES.toNanos(10)) {
                        throw new IllegalStateException("restoration did not finish within 10 minutes");
                    }
                    stopCheck.run();
                    Thread.sleep(20);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                restored[0] = count.get();
                log.accept(String.format(Locale.ROOT, "   fresh instance restored %,d changelog records in %.1f s",
                        count.get(), seconds));
                return seconds;
            } finally {
                streams.close(CLOSE);
            }
        } finally {
            Utils.delete(fresh.toFile());
        }
    }

    private record Latency(double offered, double achieved, long p50, long p99, long max, long samples) {
        static final Latency NONE = new Latency(0, 0, -1, -1, -1, 0);
    }

    private Latency latency(String topology, double rate) throws Exception {
        log.accept(String.format(Locale.ROOT, "== %s: latency at %,.0f records/s for %d s", topology, rate,
                options.latencySeconds()));
        String appId = "bench-latency-" + topology + "-" + runId;
        String input = appId + "-in";
        String output = appId + "-out";
        createTopics(Map.of(input, options.partitions(), output, options.partitions(), appId + "-alerts", 1,
                appId + "-dead-letters", 1));
        Path stateDir = Files.createTempDirectory("gru-bench-latency");
        List<Long> samples = new ArrayList<>();
        try {
            sampleLatencies(topology, rate, appId, input, output, stateDir, samples);
        } finally {
            Utils.delete(stateDir.toFile());
        }
        long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            throw new IllegalStateException(topology + " wrote no forecast during the latency run");
        }
        Latency latency = new Latency(rate, (double) sorted.length / options.latencySeconds(),
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1], sorted.length);
        log.accept(String.format(Locale.ROOT, "   latency p50 %d ms, p99 %d ms, max %d ms over %,d forecasts (%,.0f/s)",
                latency.p50, latency.p99, latency.max, latency.samples, latency.achieved));
        return latency;
    }

    /** Adds to {@code samples} the latency of each forecast written while {@code rate} records a second come in. */
    private void sampleLatencies(String topology, double rate, String appId, String input, String output,
            Path stateDir, List<Long> samples) throws Exception {
        GruStreamConfig config = config(appId, input, output, stateDir);
        Topics topics = Topics.from(config);
        KafkaStreams streams = new KafkaStreams(topology(topology, config),
                GruStreamTopology.streamsProperties(config));
        Process load = null;
        try (KafkaConsumer<String, byte[]> consumer = consumer(output)) {
            streams.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the latency run's instance did not reach RUNNING within 5"
                            + " minutes (state " + streams.state() + ")");
                }
                stopCheck.run();
                Thread.sleep(20);
            }
            load = startLoad(input, rate, stateDir);
            long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long until = warmUntil + TimeUnit.SECONDS.toNanos(options.latencySeconds());
            while (System.nanoTime() < until) {
                stopCheck.run();
                if (!load.isAlive()) {
                    throw new IllegalStateException("the load generator exited with " + load.exitValue()
                            + " during the latency run");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    Forecast forecast = topics.forecastSerde().deserializer().deserialize(output, record.value());
                    long latency = System.currentTimeMillis() - forecast.getEventTime().toEpochMilli();
                    if (System.nanoTime() > warmUntil) {
                        samples.add(latency);
                    }
                }
            }
        } finally {
            if (load != null) {
                load.destroy();
                load.waitFor();
            }
            streams.close(CLOSE);
        }
    }

    /**
     * Starts the load in a JVM of its own, so that producing it costs the measured application nothing: the demo's
     * generator at {@code rate} observations per second, with the wall clock as event time.
     */
    private Process startLoad(String topic, double rate, Path dir) throws IOException {
        Map<String, String> settings = new HashMap<>(options.settings());
        settings.put("bootstrap.servers", options.bootstrapServers());
        settings.put("schema.registry.url", registry);
        settings.put("topic.observations", topic);
        List<String> command = new ArrayList<>(ChildJava.command("512m"));
        command.addAll(List.of("dev.grustream.cli.GruStreamTools", "generate",
                "--keys", String.valueOf(Math.min(options.keys(), 100_000)), "--rate", String.valueOf(rate),
                "--seed", String.valueOf(options.seed())));
        ProcessBuilder child = new ProcessBuilder(command);
        // In the latency run's state directory, deleted with it.
        ChildSettings.pass(settings, dir, child);
        return child.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static long percentile(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }

    private Topology topology(String topology, GruStreamConfig config) {
        Topics topics = Topics.from(config);
        if (topology.equals(BASELINE)) {
            return BaselineTopology.build(topics, model.spec().features(), stateBytes(config),
                    options.cache() != StoreCache.OFF, ForecasterSettings.from(config).futureToleranceMs());
        }
        return GruStreamTopology.build(ForecasterSettings.from(config), topics, new ActiveModel(model),
                new ForecasterMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    /** Bytes of one key's stored gru-stream state: the baseline stores as many. */
    private int stateBytes(GruStreamConfig config) {
        Map<String, Double> features = new HashMap<>();
        model.spec().features().forEach(feature -> features.put(feature, 1.0));
        try (Forecaster forecaster = new Forecaster(ForecasterSettings.rules(config),
                Backend.JAVA, 1)) {
            KeyState state = forecaster.advance(List.of(new Event("key", 1, features)), model, key -> null,
                    new Forecaster.Outcomes() {
                        @Override
                        public void accepted(int index, Outcome outcome) {
                        }

                        @Override
                        public void refused(int index, Refusal refusal, String message) {
                            throw new IllegalStateException(message);
                        }
                    }).get("key");
            return KeyStateCodec.encode(state).length;
        }
    }

    /**
     * The settings of one topology: the options', then the user's (--set, --config), then what names the run's
     * cluster, registry, topics, application and state, which a service's own properties file would otherwise take
     * over (its production topics and consumer group).
     */
    GruStreamConfig config(String appId, String input, String output, Path stateDir) {
        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, options.guarantee());
        if (options.commitIntervalMs() > 0) {
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(options.commitIntervalMs()));
        }
        props.put(GruStreamConfig.BATCH_MAX_SIZE, String.valueOf(options.batchSize()));
        props.put(GruStreamConfig.BATCH_LINGER_MS, String.valueOf(options.lingerMs()));
        if (options.cache() != StoreCache.DEFAULT) {
            props.put(GruStreamConfig.STATE_STORE_CACHING, String.valueOf(options.cache() == StoreCache.ON));
        }
        props.put(GruStreamConfig.MODEL_BACKEND, options.backend());
        // Preloaded event times are in the past; keep every key for the whole run.
        props.put(GruStreamConfig.STATE_TTL_MS, "0");
        if (options.input() == InputFormat.JSON) {
            props.put(GruStreamConfig.INPUT_FORMAT, "json");
            props.put(GruStreamConfig.INPUT_KEY_FIELDS, "series");
            props.put(GruStreamConfig.INPUT_TIME_FIELD, "time");
            props.put(GruStreamConfig.INPUT_FEATURES, "value=value");
        }
        props.putAll(options.settings());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put("schema.registry.url", registry);
        props.put(GruStreamConfig.TOPIC_OBSERVATIONS, input);
        props.put(GruStreamConfig.TOPIC_FORECASTS, output);
        props.put(GruStreamConfig.TOPIC_ALERTS, appId + "-alerts");
        props.put(GruStreamConfig.TOPIC_DEAD_LETTERS, appId + "-dead-letters");
        return new GruStreamConfig(props);
    }

    /**
     * Writes the input: {@code records} observations round-robin over the keys, a minute apart per key over the last
     * 30 days, closer where that many minutes do not fit (few keys), so that none lies in the future (gru-stream
     * dead-letters those; the baseline would not).
     */
    private void preload(String topic) {
        log.accept(String.format(Locale.ROOT, "== preloading %,d observations (%s) over %,d keys into %d partitions",
                options.records(), options.input().name().toLowerCase(Locale.ROOT), options.keys(),
                options.partitions()));
        Topics topics = Topics.from(config("preload", topic, "unused", Path.of(".")));
        long start = Instant.now().minus(Duration.ofDays(30)).toEpochMilli();
        long rounds = (options.records() + options.keys() - 1) / options.keys();
        long spacing = Math.max(1, Math.min(MINUTE, Duration.ofDays(30).toMillis() / rounds));
        AtomicLong failed = new AtomicLong();
        long begun = System.nanoTime();
        Properties props = new Properties();
        props.putAll(producerConfig());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (long i = 0; i < options.records(); i++) {
                if (i % 10_000 == 0) {
                    stopCheck.run();
                }
                int key = (int) (i % options.keys());
                long step = i / options.keys();
                long eventTime = start + step * spacing;
                double value = 50 + 10 * Math.sin(step / 12.0 + key) + (key % 7);
                String series = String.format(Locale.ROOT, "key-%07d", key);
                byte[] bytes = options.input() == InputFormat.JSON
                        ? String.format(Locale.ROOT, "{\"series\":\"%s\",\"time\":%d,\"value\":%s}", series,
                                eventTime, value).getBytes(StandardCharsets.UTF_8)
                        : topics.observationSerde().serializer().serialize(topic, Observation.newBuilder()
                                .setEventTime(Instant.ofEpochMilli(eventTime))
                                .setFeatures(Map.of("value", value))
                                .build());
                // The record timestamp is the send time; the event time travels in the observation.
                producer.send(new ProducerRecord<>(topic, null, series, bytes),
                        (metadata, error) -> {
                            if (error != null) {
                                failed.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new OperatorException(failed.get() + " of " + options.records() + " preloaded observations could"
                    + " not be sent to " + options.bootstrapServers() + "; the run would never see them");
        }
        log.accept(String.format(Locale.ROOT, "   preloaded in %.1f s", (System.nanoTime() - begun) / 1e9));
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(ClientSettings.producer(clientSettings()));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    /**
     * The Kafka settings of the benchmark's own clients: the measured application's, so that a cluster that asks for
     * credentials or TLS is reached by both alike.
     */
    private Map<String, Object> clientSettings() {
        return config("bench-clients", "bench-clients-in", "bench-clients-out", Path.of("unused")).passThrough();
    }

    private void createTopics(Map<String, Integer> partitionsByTopic) throws Exception {
        try (Admin admin = Admin.create(ClientSettings.admin(clientSettings()))) {
            // Replicated as run --create-topics replicates them: by replication.factor, else the brokers' default.
            Optional<Short> replicas = TopicCreation.replicasOf(null, clientSettings());
            List<NewTopic> topics = new ArrayList<>();
            partitionsByTopic.forEach((name, partitions) -> topics.add(new NewTopic(name, Optional.of(partitions),
                    replicas)));
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new OperatorException("cannot create the benchmark's topics on " + options.bootstrapServers()
                    + " within 60 s; is the cluster there? (" + (e.getCause() != null ? e.getCause() : e) + ")", e);
        }
    }

    /**
     * A reader of {@code topic} from its start, of every partition, without a consumer group: none to be authorized,
     * and none left behind with offsets.
     */
    private KafkaConsumer<String, byte[]> consumer(String topic) throws InterruptedException {
        Properties props = new Properties();
        props.putAll(ClientSettings.consumer(clientSettings()));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        try {
            // A topic just created may be unknown to the broker asked for a few seconds: no partitions yet.
            List<TopicPartition> partitions = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new OperatorException("the benchmark's output topic " + topic + " has no partitions the"
                            + " brokers know of 60 s after it was created");
                }
                partitions = consumer.partitionsFor(topic).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                if (partitions.isEmpty()) {
                    Thread.sleep(100);
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return consumer;
        } catch (RuntimeException | InterruptedException e) {
            consumer.close();
            throw e;
        }
    }

    /** Counts committed output records on its own thread, noting when the half and the last arrived. */
    private final class OutputCounter implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Thread thread;
        private final AtomicLong count = new AtomicLong();
        private final long half;
        private volatile long halfAt;
        private volatile long halfCount;
        private volatile long lastAt;
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        /** Counts the outputs of {@code topic}, of which {@code records} are awaited. */
        OutputCounter(String topic, long records) throws InterruptedException {
            this.consumer = consumer(topic);
            this.half = records / 2;
            this.thread = new Thread(this::poll, "bench-output-counter");
        }

        void start() {
            thread.start();
        }

        private void poll() {
            try (consumer) {
                while (running && failure == null) {
                    int polled = consumer.poll(Duration.ofMillis(50)).count();
                    if (polled > 0) {
                        long now = System.nanoTime();
                        long total = count.addAndGet(polled);
                        if (halfAt == 0 && total >= half) {
                            halfCount = total;
                            halfAt = now;
                        }
                        lastAt = now;
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** How many outputs have come; throws what stopped the counting (a read refused, say), if anything did. */
        long count() {
            if (failure != null) {
                throw new OperatorException("the benchmark cannot read its output topic: " + failure, failure);
            }
            return count.get();
        }

        /** How many outputs had come when {@link #halfAt}. */
        long halfCount() {
            return halfCount;
        }

        long halfAt() {
            return halfAt;
        }

        long lastAt() {
            return lastAt;
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * The CPU time of {@code streams}' stream threads and of their producers' I/O threads, named by Kafka's producer
     * {@code kafka-producer-network-thread | CLIENT_ID}: not of an instance run before it (a warm-up's, say) whose
     * threads outlived its close.
     */
    private static long streamThreadCpuNanos(KafkaStreams streams) {
        Set<String> names = new HashSet<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            names.add(thread.threadName());
            thread.producerClientIds().forEach(id -> names.add("kafka-producer-network-thread | " + id));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && names.contains(info.getThreadName())) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** Resident memory of this process, from /proc (Linux); -1 where unavailable. */
    private static long residentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) >> 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
