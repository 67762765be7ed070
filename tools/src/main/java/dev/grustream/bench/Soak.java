package dev.grustream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grustream.avro.Observation;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.serde.SpecificAvroSerde;
import dev.grustream.service.ClientSettings;
import dev.grustream.service.TopicCreation;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;
import java.util.stream.DoubleStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A soak run: the service, in a JVM of its own ({@code gru-stream run}), under a steady load for a long time, over
 * many distinct keys that come and go so that idle-key eviction works all along. At every interval it samples the
 * consumer lag, the service's heap (used, and live after the last major collection), RocksDB's memory (memtables,
 * block cache, table readers, from Kafka Streams' RocksDB metrics), the process's resident size, the keys stored and
 * evicted, and errors (dead letters, ERROR log lines, a state other than RUNNING).
 *
 * <p>Load: at elapsed time t of a run of length T, keys are drawn round-robin from a window of {@code activeKeys}
 * consecutive key numbers starting at {@code (distinctKeys - activeKeys) * t / T}: every key is busy for a while and
 * then idle for good, so the store keeps only the window plus the keys not yet evicted, and over the run
 * {@code distinctKeys} keys are seen. Event times are the wall clock at sending, so stream time, and with it eviction,
 * follows the wall clock. Unless a rate is given, a calibration first measures how fast the service drains a burst,
 * and the run offers a fraction of that.
 *
 * <p>Lifecycle: create, {@link #run} once. Not thread-safe.
 */
public final class Soak {

    /** What to run. */
    public record Options(String bootstrapServers, String registryUrl, Duration duration, long distinctKeys,
            int activeKeys, double rate, double fraction, int calibrationRecords, int partitions, String guarantee,
            long ttlMs, long ttlScanIntervalMs, Duration sampleInterval, String serviceHeap, Path workDir,
            Map<String, String> serviceSettings) {
        public Options {
            serviceSettings = Map.copyOf(serviceSettings);
            if (activeKeys < 1 || distinctKeys < activeKeys) {
                throw new IllegalArgumentException("need 1 <= activeKeys <= distinctKeys, found activeKeys "
                        + activeKeys + " and distinctKeys " + distinctKeys);
            }
            if (rate < 0 || !(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("rate must be >= 0 (0 calibrates) and fraction in (0, 1], found "
                        + rate + " and " + fraction);
            }
            requireAtMostOnePerKeyAndMillisecond(rate, activeKeys);
        }
    }

    /**
     * Refuses a steady rate that would send a key more than one observation per millisecond: each key's event times
     * must increase (the service runs without a grace for late ones), and they would run ahead of the clock.
     */
    static void requireAtMostOnePerKeyAndMillisecond(double rate, int activeKeys) {
        if (rate > activeKeys * 1000.0) {
            throw new IllegalArgumentException("a rate of " + rate + " observations per second over " + activeKeys
                    + " active keys sends a key more than one per millisecond: raise --active-keys to at least "
                    + (long) Math.ceil(rate / 1000));
        }
    }

    /** One sample of the service, over the interval that ends at {@code elapsedSeconds}. */
    public record Sample(long elapsedSeconds, double producedPerSecond, double forecastsPerSecond, long lag,
            long heapUsedMiB, long heapLiveMiB, long rocksDbMiB, long rssMiB, long keysStored, long keysEvicted,
            long deadLetters, long errorLines, String state) {
    }

    /**
     * What a run measured. {@code produced} counts the observations the broker acknowledged; {@code forecastsWritten}
     * and {@code deadLettersWritten} count the records of the output topics a {@code read_committed} consumer reads
     * after the drain; {@code heapAfterFullGcMiB} is the heap the service uses right after a full collection at the
     * end of the drain (its live set; -1 where {@code jcmd} is missing).
     */
    public record Result(double rate, double calibratedMaximum, List<Sample> samples, long produced,
            long forecastsWritten, long duplicateForecasts, long deadLettersWritten, long drainedLag,
            long heapAfterFullGcMiB, int exitCode, List<String> errorLines) {
        /**
         * Observations that ended as neither a forecast nor a dead letter (negative: some ended as both), a forecast
         * written twice counted once, so that a loss cannot hide behind a duplicate.
         */
        public long unaccounted() {
            return produced - (forecastsWritten - duplicateForecasts) - deadLettersWritten;
        }

        /** Errors of the whole run: dead letters, ERROR log lines, samples not RUNNING, an exit other than clean. */
        public long errors() {
            Sample last = samples.get(samples.size() - 1);
            long notRunning = samples.stream().filter(s -> !s.state().equals("RUNNING")).count();
            return last.deadLetters() + errorLines.size() + notRunning + (stoppedCleanly() ? 0 : 1);
        }

        /**
         * Whether the service's JVM ended as after a SIGTERM it handled: the JVM's code for that is 143 (128 + 15),
         * 0 if the service had returned first.
         */
        public boolean stoppedCleanly() {
            return exitCode == 0 || exitCode == EXIT_ON_SIGTERM;
        }

        /** The lag at the last sample under load (the one before the drain). */
        public long lagAtEndOfLoad() {
            return samples.get(Math.max(0, samples.size() - 2)).lag();
        }

        /** A few lines that say whether the service held steady: lag, memory first/last/max, keys, errors. */
        public String summary() {
            Sample first = samples.get(0);
            Sample last = samples.get(samples.size() - 1);
            return String.format(Locale.ROOT, "soak summary: %,.0f records/s offered%s; %,d observations produced,"
                    + " %,d forecasts (%,d of them repeats) and %,d dead letters written (%,d unaccounted)%n"
                    + "  lag: max %,d, at the end of the load %,d, after draining %,d%n"
                    + "  heap live after GC (MiB): first %d, last %d, max %d; heap used max %d; after a full GC at the"
                    + " end %d%n"
                    + "  RocksDB memory (MiB): first %d, last %d, max %d; resident size (MiB): first %d, last %d%n"
                    + "  keys: about %,d stored at the end (RocksDB's estimate), %,d evicted%n"
                    + "  errors: %d (dead letters %d, ERROR log lines %d, exit code %d)",
                    rate, Double.isNaN(calibratedMaximum) ? "" : String.format(Locale.ROOT,
                            " (calibrated maximum %,.0f)", calibratedMaximum), produced, forecastsWritten,
                    duplicateForecasts, deadLettersWritten, unaccounted(),
                    max(Sample::lag), lagAtEndOfLoad(), drainedLag,
                    first.heapLiveMiB(), last.heapLiveMiB(), max(Sample::heapLiveMiB), max(Sample::heapUsedMiB),
                    heapAfterFullGcMiB,
                    first.rocksDbMiB(), last.rocksDbMiB(), max(Sample::rocksDbMiB), first.rssMiB(), last.rssMiB(),
                    last.keysStored(), last.keysEvicted(), errors(), last.deadLetters(), errorLines.size(), exitCode);
        }

        private long max(ToLongFunction<Sample> field) {
            return samples.stream().mapToLong(field).max().orElse(-1);
        }
    }

    private static final String MAIN = "dev.grustream.cli.GruStreamCommand";
    private static final int EXIT_ON_SIGTERM = 143;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);

    private final Options options;
    private final long rocksDbMemoryBytes;
    /** The settings file of the service's JVM, until the service has read it. */
    private Path serviceSettingsFile;
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String input = "soak-observations-" + id;
    private final String forecasts = "soak-forecasts-" + id;
    private final String deadLetters = "soak-dead-letters-" + id;
    private final String applicationId = "soak-" + id;
    private final HttpClient http = HttpClient.newHttpClient();
    private Consumer<String> out = line -> { };

    public Soak(Options options) {
        this.options = options;
        // Given to the service explicitly, so that no GRU_STREAM_* variable it inherits decides it unseen.
        this.rocksDbMemoryBytes = new GruStreamConfig(options.serviceSettings())
                .getLong(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES);
    }

    /** Runs the soak, printing progress and a table row per sample to {@code progress}. */
    public Result run(Consumer<String> progress) throws Exception {
        this.out = progress;
        createTopics();
        int port = freePort();
        Path log = options.workDir().resolve("service-" + id + ".log");
        Process service = startService(port, log);
        try (Admin admin = Admin.create(ClientSettings.admin(clientSettings()));
                Load load = new Load()) {
            awaitReady(service, port, log);
            // Read by the service at its start; the work directory is kept after the run.
            Files.delete(serviceSettingsFile);
            double maximum = Double.NaN;
            double rate = options.rate();
            if (rate == 0) {
                maximum = calibrate(load, service, port);
                rate = options.fraction() * maximum;
            }
            out.accept(String.format(Locale.ROOT,
                    "== soak: %,.0f records/s for %s over %,d distinct keys (%,d active at a time),"
                    + " state.ttl.ms=%d; service pid %d, log %s", rate, options.duration(), options.distinctKeys(),
                    options.activeKeys(), options.ttlMs(), service.pid(), log));
            out.accept("| minute | produced/s | forecasts/s | lag | heap used MiB | heap live MiB | RocksDB MiB "
                    + "| RSS MiB | keys stored (estimate) | keys evicted | dead letters | ERROR lines | state |");
            out.accept("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            List<Sample> samples = new ArrayList<>();
            load.steady(rate, options.duration());
            Sampler sampler = new Sampler(admin, service, port, log, load);
            long started = System.nanoTime();
            long end = started + options.duration().toNanos();
            long next = started;
            // A sample every interval and one at the end: the load runs for the whole duration, not to the last
            // whole interval (a duration shorter than one interval ran almost no load).
            do {
                next = Math.min(next + options.sampleInterval().toNanos(), end);
                while (System.nanoTime() < next) {
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                samples.add(report(sampler.sample((System.nanoTime() - started) / 1_000_000_000L)));
            } while (next < end && service.isAlive());
            load.stop();
            long drained = drain(admin, service);
            samples.add(report(sampler.sample((System.nanoTime() - started) / 1_000_000_000L)));
            long heapAfterFullGc = fullGc(service) ? sampler.heapUsedMiB() : -1;
            int exit = stop(service);
            Repeats repeats = new Repeats();
            long forecastsWritten = committedRecords(forecasts, repeats::add);
            return new Result(rate, maximum, samples, load.acknowledged(), forecastsWritten, repeats.count(),
                    committedRecords(deadLetters, (key, time) -> { }), drained, heapAfterFullGc, exit, errorLines(log));
        } finally {
            service.destroyForcibly();
        }
    }

    private Sample report(Sample s) {
        out.accept(String.format(Locale.ROOT,
                "| %.1f | %,.0f | %,.0f | %,d | %d | %d | %d | %d | %,d | %,d | %d | %d | %s |",
                s.elapsedSeconds() / 60.0, s.producedPerSecond(), s.forecastsPerSecond(), s.lag(), s.heapUsedMiB(),
                s.heapLiveMiB(), s.rocksDbMiB(), s.rssMiB(), s.keysStored(), s.keysEvicted(), s.deadLetters(),
                s.errorLines(), s.state()));
        return s;
    }

    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(ClientSettings.admin(clientSettings()))) {
            // Replicated as run --create-topics replicates them: by replication.factor, else the brokers' default.
            Optional<Short> replicas = TopicCreation.replicasOf(null, clientSettings());
            Optional<Integer> partitions = Optional.of(options.partitions());
            admin.createTopics(List.of(new NewTopic(input, partitions, replicas),
                    // Stamped by the service, whatever the cluster's default: a forecast's timestamp is then its
                    // observation's event time, by which a repeat is told (Repeats).
                    new NewTopic(forecasts, partitions, replicas)
                            .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime")),
                    new NewTopic("soak-alerts-" + id, Optional.of(1), replicas),
                    new NewTopic(deadLetters, Optional.of(1), replicas))).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new OperatorException("cannot create the soak's topics on " + options.bootstrapServers()
                    + " within 60 s; is the cluster there? (" + (e.getCause() != null ? e.getCause() : e) + ")", e);
        }
    }

    /**
     * The Kafka and registry settings of the soak's own clients: the service's, so that a cluster or registry that
     * asks for credentials or TLS is reached by both alike.
     */
    private Map<String, Object> clientSettings() {
        Map<String, String> settings = new HashMap<>(options.serviceSettings());
        settings.put("bootstrap.servers", options.bootstrapServers());
        settings.put("schema.registry.url", options.registryUrl());
        return new GruStreamConfig(settings).passThrough();
    }

    private Process startService(int port, Path log) throws IOException {
        Path stateDir = Files.createDirectories(options.workDir().resolve("state-" + id));
        List<String> command = new ArrayList<>(ChildJava.command(options.serviceHeap()));
        command.addAll(List.of(MAIN, "run"));
        // The soak's own settings, then the user's (--set, --config), then what names the run's cluster, registry,
        // topics, application, state and address, which a service's own properties file would otherwise take over.
        Map<String, String> settings = new HashMap<>();
        settings.put("processing.guarantee", options.guarantee());
        settings.put("state.ttl.ms", String.valueOf(options.ttlMs()));
        settings.put("state.ttl.scan.interval.ms", String.valueOf(options.ttlScanIntervalMs()));
        settings.putAll(options.serviceSettings());
        settings.put("bootstrap.servers", options.bootstrapServers());
        settings.put("schema.registry.url", options.registryUrl());
        settings.put("application.id", applicationId);
        settings.put("state.dir", stateDir.toString());
        settings.put("topic.observations", input);
        settings.put("topic.forecasts", forecasts);
        settings.put("topic.alerts", "soak-alerts-" + id);
        settings.put("topic.dead.letters", deadLetters);
        settings.put("http.port", String.valueOf(port));
        settings.put("http.bind.address", "127.0.0.1");
        settings.put("http.advertised.host", "127.0.0.1");
        // No grace: a key's forecasts then carry strictly increasing event times, which Repeats relies on.
        settings.put("late.grace.ms", "0");
        settings.put(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES, String.valueOf(rocksDbMemoryBytes));
        ProcessBuilder child = new ProcessBuilder(command);
        serviceSettingsFile = ChildSettings.pass(settings, options.workDir(), child);
        return child.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private void awaitReady(Process service, int port, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!"RUNNING".equals(state(port))) {
            if (!service.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the service did not become ready; see " + log);
            }
            Thread.sleep(200);
        }
    }

    /**
     * Sends a burst as fast as possible and measures how fast the service processes it: records per second, from the
     * service's own counts of forecasts and dead letters. Not from the committed offsets: under at-least-once they move
     * every 30 s (Kafka Streams' commit interval), which would count up to 30 s of waiting as work.
     */
    private double calibrate(Load load, Process service, int port) throws Exception {
        out.accept(String.format(Locale.ROOT, "== calibrating: a burst of %,d records", options.calibrationRecords()));
        double before = processed(service, port);
        long started = System.nanoTime();
        load.burst(options.calibrationRecords());
        long deadline = started + DRAIN_TIMEOUT.toNanos();
        while (processed(service, port) - before < options.calibrationRecords()) {
            if (!service.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the service did not process the calibration burst in "
                        + DRAIN_TIMEOUT);
            }
            Thread.sleep(200);
        }
        double maximum = options.calibrationRecords() / ((System.nanoTime() - started) / 1e9);
        out.accept(String.format(Locale.ROOT, "   drained at %,.0f records/s: the soak offers %.0f%% of it", maximum,
                100 * options.fraction()));
        return maximum;
    }

    /** Waits until the service has consumed everything; returns the lag left (0 unless it timed out). */
    private long drain(Admin admin, Process service) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        long lag = lag(admin);
        while (lag > 0 && service.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            lag = lag(admin);
        }
        return lag;
    }

    /** Asks the service's JVM for a full collection ({@code jcmd PID GC.run}); whether it was done. */
    private static boolean fullGc(Process service) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd) || !service.isAlive()) {
            return false;
        }
        Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(service.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS)) {
            gc.destroyForcibly();
            return false;
        }
        return gc.exitValue() == 0;
    }

    private static int stop(Process service) throws InterruptedException {
        service.destroy();
        if (!service.waitFor(90, TimeUnit.SECONDS)) {
            service.destroyForcibly();
            return -1;
        }
        return service.exitValue();
    }

    /**
     * Records of the input topic not yet consumed by the application: the log ends, read first, against the committed
     * offsets read after them, so that records produced while the two calls take their time do not count as lag.
     */
    private long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < options.partitions(); p++) {
            latest.put(new TopicPartition(input, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (done == null ? 0 : done.offset()));
        }
        return lag;
    }

    /**
     * The records of {@code topic} a {@code read_committed} consumer reads, from the start to the end; each record's
     * key and timestamp also go to {@code eachRecord}.
     */
    private long committedRecords(String topic, ObjLongConsumer<String> eachRecord) {
        Map<String, Object> props = new HashMap<>(ClientSettings.consumer(clientSettings()));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Under read_committed the end offsets are the last stable offsets: nothing after them is readable.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long records = 0;
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in " + DRAIN_TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    eachRecord.accept(record.key(), record.timestamp());
                }
            }
            return records;
        }
    }

    /**
     * Counts the forecasts written again, read in each key's order: a key's forecasts carry its observations' event
     * times (topic stamped at creation), which the service takes strictly increasing when {@code late.grace.ms} is 0,
     * so a forecast no later than its key's latest is a repeat (under at-least-once, after a restart). Not
     * thread-safe.
     */
    static final class Repeats {
        private final Map<String, Long> latest = new HashMap<>();
        private long count;

        void add(String key, long time) {
            Long before = latest.get(key);
            if (before != null && time <= before) {
                count++;
            } else {
                latest.put(key, time);
            }
        }

        long count() {
            return count;
        }
    }

    private String state(int port) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return JSON.readTree(body).path("state").asText("?");
        } catch (IOException e) {
            return "UNREACHABLE";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "INTERRUPTED";
        }
    }

    private static List<String> errorLines(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.contains(" ERROR ")).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Takes samples, remembering the previous one's counters to turn them into rates. */
    private final class Sampler {
        private final Admin admin;
        private final Process service;
        private final int port;
        private final Path log;
        private final Load load;
        private long lastAt = System.nanoTime();
        private long lastSent;
        private double forecastsMeter;

        Sampler(Admin admin, Process service, int port, Path log, Load load) throws Exception {
            this.admin = admin;
            this.service = service;
            this.port = port;
            this.log = log;
            this.load = load;
            this.lastSent = load.sent();
            this.forecastsMeter = metrics().sum("gru_forecasts_total");
        }

        /**
         * RocksDB's memory from Kafka Streams' metrics of every store. Stores that share one cache
         * ({@code state.rocksdb.memory.bytes}) each report the whole cache's usage, memtables included, since the
         * shared write buffer manager charges them to it; stores of their own each report their own.
         */
        private double rocksDbBytes(PrometheusText metrics) {
            double tableReaders = metrics.sumEndingWith("_estimate_table_readers_mem");
            return rocksDbMemoryBytes > 0 ? metrics.maxEndingWith("_block_cache_usage") + tableReaders
                    : metrics.sumEndingWith("_size_all_mem_tables") + metrics.sumEndingWith("_block_cache_usage")
                            + tableReaders;
        }

        Sample sample(long elapsedSeconds) throws Exception {
            long now = System.nanoTime();
            double seconds = (now - lastAt) / 1e9;
            long sent = load.sent();
            PrometheusText metrics = metrics();
            double forecastsNow = metrics.sum("gru_forecasts_total");
            Sample sample = new Sample(elapsedSeconds, (sent - lastSent) / seconds,
                    (forecastsNow - forecastsMeter) / seconds, lag(admin),
                    mib(metrics.sum("jvm_memory_used_bytes", "area=\"heap\"")),
                    mib(metrics.sum("jvm_gc_live_data_size_bytes")),
                    mib(rocksDbBytes(metrics)),
                    residentMiB(service.pid()), (long) metrics.sum("gru_keys_stored"),
                    (long) metrics.sum("gru_keys_evicted_total"), (long) metrics.sum("gru_dead_letters_total"),
                    errorLines(log).size(), service.isAlive() ? state(port) : "EXITED");
            lastAt = now;
            lastSent = sent;
            forecastsMeter = forecastsNow;
            return sample;
        }

        long heapUsedMiB() throws IOException, InterruptedException {
            return mib(metrics().sum("jvm_memory_used_bytes", "area=\"heap\""));
        }

        private PrometheusText metrics() throws IOException, InterruptedException {
            return Soak.this.metrics(service, port);
        }
    }

    /** The service's metrics; none once it has exited. */
    private PrometheusText metrics(Process service, int port) throws IOException, InterruptedException {
        if (!service.isAlive()) {
            return new PrometheusText("");
        }
        HttpRequest.Builder scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30));
        // The service asks for the user's http.auth.token, which it is given with their other settings (trimmed, as
        // Kafka's configuration reads a secret).
        String token = options.serviceSettings().getOrDefault(GruStreamConfig.HTTP_AUTH_TOKEN, "").trim();
        if (!token.isEmpty()) {
            scrape.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> answer = http.send(scrape.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("GET /metrics of the service answered HTTP " + answer.statusCode());
        }
        return new PrometheusText(answer.body());
    }

    /** Observations the service has processed so far: its forecasts and dead letters. */
    private double processed(Process service, int port) throws IOException, InterruptedException {
        PrometheusText metrics = metrics(service, port);
        return metrics.sum("gru_forecasts_total") + metrics.sum("gru_dead_letters_total");
    }

    private static long mib(double bytes) {
        return Math.round(bytes / (1 << 20));
    }

    /** Resident memory of a process, from /proc (Linux); -1 where unavailable. */
    private static long residentMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.trim().split("\\s+")[1]) >> 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Sums of the samples of Prometheus text-format metrics. Written by hand: the format is one sample a line
     * ({@code name{labels} value}), and the Prometheus client libraries on the classpath write it but do not read it.
     */
    private static final class PrometheusText {
        private final List<String[]> samples = new ArrayList<>();

        PrometheusText(String text) {
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                int brace = line.indexOf('{');
                String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
                String labels = brace >= 0 && brace < space ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
                samples.add(new String[] {name, labels, line.substring(space + 1)});
            }
        }

        double sum(String name, String... labels) {
            return samples.stream().filter(s -> s[0].equals(name) && Set.of(labels).stream()
                    .allMatch(s[1]::contains)).mapToDouble(s -> value(s[2])).sum();
        }

        double sumEndingWith(String suffix) {
            return valuesEndingWith(suffix).sum();
        }

        double maxEndingWith(String suffix) {
            return valuesEndingWith(suffix).max().orElse(0);
        }

        private DoubleStream valuesEndingWith(String suffix) {
            return samples.stream().filter(s -> s[0].endsWith(suffix)).mapToDouble(s -> value(s[2]));
        }

        private static double value(String text) {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) ? value : 0;
        }
    }

    /** The load: observations of the key window, at a steady rate or in a burst, on a thread of its own. */
    private final class Load implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final SpecificAvroSerde<Observation> serde = new SpecificAvroSerde<>(Observation.class);
        private final SplittableRandom random = new SplittableRandom(17);
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;
        private long windowStart;
        /** The event time of the key window's current round; sends come from one thread at a time. */
        private long roundTime;

        Load() {
            Map<String, Object> settings = clientSettings();
            Properties props = new Properties();
            props.putAll(ClientSettings.producer(settings));
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, 131_072);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            serde.configure(settings, false);
        }

        long sent() {
            return sent.get();
        }

        /** The records the broker acknowledged, once {@link #stop} flushed the producer. */
        long acknowledged() {
            return sent.get() - failed.get();
        }

        /** Sends {@code records} as fast as the producer takes them, from the first window, and flushes. */
        void burst(int records) {
            for (int i = 0; i < records; i++) {
                send();
            }
            producer.flush();
        }

        /** Starts sending {@code rate} records per second, sliding the key window over {@code duration}. */
        void steady(double rate, Duration duration) {
            requireAtMostOnePerKeyAndMillisecond(rate, options.activeKeys());
            running.set(true);
            thread = new Thread(() -> {
                long started = System.nanoTime();
                long intervalNanos = 10_000_000L;
                double perInterval = rate / 100;
                double owed = 0;
                long next = started;
                long slide = options.distinctKeys() - options.activeKeys();
                while (running.get()) {
                    double progress = Math.min(1.0, (System.nanoTime() - started) / (double) duration.toNanos());
                    windowStart = (long) (slide * progress);
                    owed += perInterval;
                    for (; owed >= 1; owed--) {
                        send();
                    }
                    next += intervalNanos;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            }, "soak-load");
            thread.start();
        }

        private void send() {
            long n = sent.getAndIncrement();
            long key = windowStart + n % options.activeKeys();
            if (n % options.activeKeys() == 0) {
                // A key comes once a round: a round's time after the last one's keeps each key's times increasing,
                // which the service (late.grace.ms=0) requires, however many rounds a millisecond holds.
                roundTime = Math.max(System.currentTimeMillis(), roundTime + 1);
            }
            long now = roundTime;
            double phase = (key * 0.618_033_988_7) % 1.0;
            double value = 50 + 10 * Math.sin(2 * Math.PI * (now / 300_000.0 + phase)) + (key % 13)
                    + random.nextGaussian() * 0.5;
            Observation observation = Observation.newBuilder().setEventTime(Instant.ofEpochMilli(now))
                    .setFeatures(Map.of("value", value)).build();
            producer.send(new ProducerRecord<>(input, null, now, String.format(Locale.ROOT, "key-%08d", key),
                    serde.serializer().serialize(input, observation)), (metadata, error) -> {
                        if (error != null) {
                            failed.incrementAndGet();
                        }
                    });
        }

        void stop() {
            running.set(false);
            if (thread != null) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            producer.flush();
        }

        @Override
        public void close() {
            stop();
            producer.close(Duration.ofSeconds(10));
            serde.close();
        }
    }
}
