package dev.grustream.cli;

import dev.grustream.backtest.TopologyReplay;
import dev.grustream.bench.Benchmark;
import dev.grustream.bench.ChildJava;
import dev.grustream.config.ConfigSources;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gru-stream bench}: gru-stream's throughput, latency and memory against a trivial Kafka Streams app. */
@Command(name = "bench",
        header = "Measures the service against a trivial Kafka Streams application on the same data.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = "Preloads N observations over K keys, warms the JVM up on the first of them, then runs on the"
                + " same data (a) a baseline topology with the same source, serdes, sink and per-key state size doing"
                + " a trivial update and (b) the gru-stream topology with a random GRU of the given size in the"
                + " bundled model's shape (12 steps ahead, time of day and day of week as inputs, per-key"
                + " normalisation). Reports records/s (overall and warm), CPU per 1,000 records, end-to-end latency"
                + " at half the measured maximum, heap and resident memory, and the time a fresh instance takes to"
                + " restore gru-stream's state, then the headline: gru/baseline stream-thread CPU per record (medians"
                + " over --repeat runs). Unless --bootstrap is given, a broker is started in a separate JVM so that"
                + " its work is not counted as the application's.")
final class BenchCommand implements Callable<Integer> {
    /** How long the broker bench starts may take to be ready. */
    private static final Duration BROKER_START_LIMIT = Duration.ofMinutes(2);

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "SERVERS", description = "Use this cluster instead of a local"
            + " broker. The run's topics (bench-*) and groups are left there: delete them afterwards.")
    String bootstrap;

    @Option(names = "--records", defaultValue = "1000000", description = "Observations (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--warm-up-records", defaultValue = "200000", paramLabel = "N", description = "Records each"
            + " topology processes, in an instance of its own, before any is measured, so that the one measured first"
            + " does not pay alone for the JIT's compiling of the code both run; at most --records, 0 skips (default:"
            + " ${DEFAULT-VALUE}).")
    long warmUpRecords;

    @Option(names = "--keys", defaultValue = "10000", description = "Distinct keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--partitions", defaultValue = "4", description = "Input partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--input", defaultValue = "avro", paramLabel = "avro|json", description = "How the observations"
            + " are written and read: gru-stream's Avro records, or JSON objects naming their series, time and value,"
            + " read as input.format=json with input.key.fields=series (default: ${DEFAULT-VALUE}). json measures"
            + " throughput only: the latency run's load is Avro, so it needs --latency-duration 0.")
    String input;

    @Option(names = "--repartition", description = "With --input json: input.repartition=true, every record keyed by"
            + " its series and sent through the repartition topic, to measure what that costs.")
    boolean repartition;

    @Option(names = "--guarantee", defaultValue = "exactly-once-v2",
            description = "at-least-once or exactly-once-v2 (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--hidden", defaultValue = "64", description = "GRU hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "GRU layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--model-shape", defaultValue = "bundled", paramLabel = "bundled|one-step",
            description = "Shape of the random GRU: the bundled model's (12 steps ahead, calendar inputs) or one step"
                    + " from the value alone, as bench ran until 2026-12-06 (default: ${DEFAULT-VALUE}).")
    String modelShape;

    @Option(names = "--batch-size", defaultValue = "256", description = "batch.max.size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--linger", defaultValue = "5", paramLabel = "DURATION", converter = Durations.Millis.class,
            description = "batch.linger.ms (a plain number is milliseconds; default: ${DEFAULT-VALUE}).")
    Duration linger;

    @Option(names = "--cache", defaultValue = "default", description = "Record cache of the key-state store"
            + " (state.store.caching) and of the baseline's store: on or off for both, or each topology's own default"
            + " (default: ${DEFAULT-VALUE}: off for gru-stream, on for the baseline as in Kafka Streams).")
    String cache;

    @Option(names = "--backend", defaultValue = "java", description = "java or nd4j (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = {"--latency-duration", "--latency-seconds"}, defaultValue = "30", paramLabel = "DURATION",
            converter = Durations.Seconds.class,
            description = "Length of each latency run, in whole seconds (a plain number is seconds); 0 skips"
                    + " them (default: ${DEFAULT-VALUE}).")
    Duration latencyDuration;

    @Option(names = "--latency-rate", defaultValue = "0", paramLabel = "RECORDS/S",
            description = "Offered rate of the latency runs; 0 (default) is half of each topology's warm maximum.")
    double latencyRate;

    @Option(names = "--commit-interval", defaultValue = "0", paramLabel = "DURATION",
            converter = Durations.Millis.class,
            description = "commit.interval.ms (a plain number is milliseconds); 0 (default) keeps Kafka Streams'"
                    + " default (100 ms under exactly-once).")
    Duration commitInterval;

    @Option(names = "--only", paramLabel = "baseline|gru", description = "Run one topology only.")
    String only;

    @Option(names = "--json", paramLabel = "FILE", description = "Append the results as JSON lines to FILE.")
    Path json;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the random model (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A gru-stream setting for both topologies (learner.enabled=false, say); repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file of settings under the GRU_STREAM_* environment and --set, as for run:"
                    + " credentials (sasl.jaas.config, say) belong here, as a command line is seen by every user of"
                    + " the machine. The run's own cluster, registry, topics, application and state outrank them all;"
                    + " its topics hold gru-stream's own Avro records, so a file's format and subject settings are"
                    + " left out.")
    Path config;

    @Option(names = "--transaction-version", defaultValue = "1", paramLabel = "N",
            description = "Transaction protocol version of the local broker: 1 (default) or 2 (see broker --help).")
    short transactionVersion;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "N",
            description = "Run both topologies N times, alternating, and report the medians "
                    + "(default: ${DEFAULT-VALUE}).")
    int repeat;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        for (Map.Entry<String, String> option : Map.of(GruStreamConfig.INPUT_FORMAT, "--input",
                GruStreamConfig.INPUT_KEY_FIELDS, "--input", GruStreamConfig.INPUT_TIME_FIELD, "--input",
                GruStreamConfig.INPUT_FEATURES, "--input", GruStreamConfig.INPUT_REPARTITION, "--repartition")
                .entrySet()) {
            if (settings.containsKey(option.getKey())) {
                throw new OperatorException(option.getKey() + " is set by bench's " + option.getValue()
                        + " option, not by --set");
            }
        }
        Map<String, String> serviceSettings = new LinkedHashMap<>(serviceSettings(config, System.getenv(), settings));
        String processing = ProcessingGuarantees.parse(guarantee);
        Benchmark.StoreCache storeCache = switch (cache) {
            case "default" -> Benchmark.StoreCache.DEFAULT;
            case "on" -> Benchmark.StoreCache.ON;
            case "off" -> Benchmark.StoreCache.OFF;
            default -> throw new IllegalArgumentException("--cache must be default, on or off, found " + cache);
        };
        Benchmark.ModelShape shape = switch (modelShape) {
            case "bundled" -> Benchmark.ModelShape.BUNDLED;
            case "one-step" -> Benchmark.ModelShape.ONE_STEP;
            default -> throw new OperatorException("--model-shape must be bundled or one-step, found " + modelShape);
        };
        if (only != null && !only.equals("baseline") && !only.equals("gru")) {
            throw new OperatorException("--only must be baseline or gru, found " + only);
        }
        if (latencyDuration.toMillis() % 1_000 != 0) {
            throw new OperatorException("--latency-duration must be whole seconds (or 0 to skip the latency runs), "
                    + "found " + latencyDuration.toMillis() + " ms");
        }
        Benchmark.InputFormat inputFormat = switch (input) {
            case "avro" -> Benchmark.InputFormat.AVRO;
            case "json" -> Benchmark.InputFormat.JSON;
            default -> throw new OperatorException("--input must be avro or json, found " + input);
        };
        if (inputFormat == Benchmark.InputFormat.JSON && !latencyDuration.isZero()) {
            throw new OperatorException("--input json measures throughput only: the latency run's load generator"
                    + " writes gru-stream's Avro records; add --latency-duration 0");
        }
        if (repartition && inputFormat != Benchmark.InputFormat.JSON) {
            throw new OperatorException("--repartition needs --input json: input.repartition re-keys records by"
                    + " the series their value names (input.key.fields)");
        }
        if (repartition) {
            serviceSettings.put(GruStreamConfig.INPUT_REPARTITION, "true");
        }
        if (warmUpRecords < 0) {
            throw new OperatorException("--warm-up-records must be 0 or more, found " + warmUpRecords);
        }
        Process broker = null;
        // Stopped (Ctrl-C, SIGTERM), the run at hand closes its instance and removes its state as it unwinds: the
        // signal waits longer than an instance's close (a minute), which may wait on a broker Ctrl-C stopped too.
        try (StopSignal stop = new StopSignal("bench-shutdown", Duration.ofMinutes(2))) {
            try {
                String servers = bootstrap;
                if (servers == null) {
                    int port = freePort();
                    broker = startBroker(port, transactionVersion, out);
                    servers = "localhost:" + port;
                }
                Benchmark.Options options = new Benchmark.Options(servers, records, warmUpRecords, keys, partitions,
                        inputFormat, processing, hidden, layers, shape, batchSize, linger.toMillis(), storeCache,
                        backend, (int) latencyDuration.toSeconds(), latencyRate, commitInterval.toMillis(),
                        only == null || only.equals("baseline"), only == null || only.equals("gru"), seed,
                        serviceSettings);
                if (repeat < 1) {
                    throw new OperatorException("--repeat must be at least 1, found " + repeat);
                }
                List<List<Benchmark.Result>> runs = new ArrayList<>();
                for (int run = 1; run <= repeat; run++) {
                    if (repeat > 1) {
                        out.printf(Locale.ROOT, "== run %d of %d%n", run, repeat);
                    }
                    List<Benchmark.Result> results = new Benchmark(options).run(line -> {
                        out.println(line);
                        out.flush();
                    }, stop::checkNotRequested);
                    report(out, options, results);
                    if (json != null) {
                        appendJson(options, results);
                    }
                    runs.add(results);
                }
                headline(out, runs);
            } catch (StopSignal.Stopped e) {
                // Said before the signal is closed: a stopping JVM ends once it is.
                spec.commandLine().getErr().println("gru-stream bench: stopped; the run at hand is not reported");
                spec.commandLine().getErr().flush();
                return 1;
            } finally {
                if (broker != null) {
                    broker.destroy();
                    broker.waitFor();
                }
            }
        }
        return 0;
    }

    private void report(PrintWriter out, Benchmark.Options options, List<Benchmark.Result> results) {
        out.println();
        long warmUp = Math.min(options.warmUpRecords(), options.records());
        out.printf(Locale.ROOT, "machine: %d cores, Java %s; %,d records (%s, %s), %,d keys, %d partitions, %s,"
                + " commit interval %s, cache %s, H=%d L=%d, batch %d, linger %d ms, backend %s, settings %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), options.records(),
                options.input().name().toLowerCase(Locale.ROOT),
                warmUp > 0 ? String.format(Locale.ROOT, "after a warm-up over %,d", warmUp) : "no warm-up",
                options.keys(), options.partitions(),
                options.guarantee(), commitInterval.isZero() ? "default" : commitInterval.toMillis() + " ms", cache,
                options.hidden(),
                options.layers(), options.batchSize(), options.lingerMs(), options.backend(),
                options.shown().settings());
        out.println("| topology | records/s overall | records/s warm | CPU s/1k records (process / stream threads) "
                + "| latency p50 / p99 / max ms (records/s offered / achieved) | heap MiB | RSS MiB | restore |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Benchmark.Result r : results) {
            out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %.3f / %.3f | %s | %d | %d | %s |%n", r.topology(),
                    r.overallPerSecond(), r.warmPerSecond(), r.processCpuPer1k(), r.streamCpuPer1k(),
                    r.latencyP50() < 0 ? "-" : String.format(Locale.ROOT, "%d / %d / %d (%,.0f / %,.0f)",
                            r.latencyP50(), r.latencyP99(), r.latencyMax(), r.offeredPerSecond(),
                            r.achievedPerSecond()),
                    r.heapMiB(), r.rssMiB(),
                    Double.isNaN(r.restoreSeconds()) ? "-" : String.format(Locale.ROOT, "%,d records in %.1f s",
                            r.restoredRecords(), r.restoreSeconds()));
        }
        out.flush();
    }

    /**
     * The medians over the runs per topology, and the headline: gru-stream's stream-thread CPU per record over the
     * baseline's, with the throughput ratios beside it.
     */
    private static void headline(PrintWriter out, List<List<Benchmark.Result>> runs) {
        Map<String, List<Benchmark.Result>> byTopology = new LinkedHashMap<>();
        runs.forEach(results -> results.forEach(result -> byTopology.computeIfAbsent(result.topology(),
                topology -> new ArrayList<>()).add(result)));
        out.println();
        out.printf(Locale.ROOT, "medians over %d run(s):%n", runs.size());
        Map<String, double[]> medians = new LinkedHashMap<>();
        byTopology.forEach((topology, results) -> {
            double[] median = {median(results, Benchmark.Result::streamCpuPer1k),
                    median(results, Benchmark.Result::overallPerSecond),
                    median(results, Benchmark.Result::warmPerSecond)};
            medians.put(topology, median);
            out.printf(Locale.ROOT, "  %s: stream-thread CPU %.4f s/1k records, %,.0f records/s overall, %,.0f"
                    + " warm%n", topology, median[0], median[1], median[2]);
        });
        double[] gru = medians.get(Benchmark.GRU_STREAM);
        double[] baseline = medians.get(Benchmark.BASELINE);
        if (gru != null && baseline != null) {
            out.printf(Locale.ROOT, "gru/baseline stream-thread CPU per record: %.2f (throughput overall %.2f,"
                    + " warm %.2f)%n", gru[0] / baseline[0], gru[1] / baseline[1], gru[2] / baseline[2]);
        }
        out.flush();
    }

    private static double median(List<Benchmark.Result> results, ToDoubleFunction<Benchmark.Result> field) {
        double[] values = results.stream().mapToDouble(field).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private void appendJson(Benchmark.Options options, List<Benchmark.Result> results) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (Benchmark.Result result : results) {
            lines.append(mapper.writeValueAsString(java.util.Map.of("options", options.shown(), "result", result)))
                    .append('\n');
        }
        Files.writeString(json, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Starts {@code gru-stream broker} in a JVM of its own on {@code port} with transaction protocol
     * {@code transactionVersion}; returns once it accepts clients.
     */
    static Process startBroker(int port, short transactionVersion, PrintWriter out)
            throws IOException, InterruptedException {
        out.println("== starting a broker in a separate JVM on localhost:" + port);
        out.flush();
        List<String> command = new ArrayList<>(ChildJava.command("1g"));
        command.addAll(List.of(GruStreamTools.class.getName(), "broker", "--port", String.valueOf(port),
                "--transaction-version", String.valueOf(transactionVersion)));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        // A broker that hangs before it is ready would hold bench at the read below forever: once the limit has
        // passed it is ended, which ends the read.
        CountDownLatch ready = new CountDownLatch(1);
        Thread watchdog = new Thread(() -> {
            try {
                if (!ready.await(BROKER_START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "broker-start-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith(BrokerCommand.READY)) {
                ready.countDown();
                Thread drain = new Thread(() -> discard(lines), "broker-output");
                drain.setDaemon(true);
                drain.start();
                return process;
            }
        }
        process.waitFor();
        throw new OperatorException("the broker exited with " + process.exitValue() + " before it was ready, or"
                + " was not ready within " + BROKER_START_LIMIT.toSeconds() + " s and was stopped");
    }

    /**
     * The measured service's settings, for bench and soak: {@code config} (may be null), then {@code environment}'s
     * {@code GRU_STREAM_*} variables, then {@code set}; the topics' formats are the run's own (gru-stream's Avro
     * records), so {@code set} may not name them and a file's or the environment's are left out.
     */
    static Map<String, String> serviceSettings(Path config, Map<String, String> environment, Map<String, String> set) {
        TopologyReplay.refuseFormatSettings(set);
        return TopologyReplay.withoutFormatSettings(ConfigSources.merge(config, environment, set));
    }

    /** Reads the broker's output so that its pipe never fills, until the broker ends and the pipe closes. */
    private static void discard(BufferedReader lines) {
        try {
            while (lines.readLine() != null) {
                // Its output is of no interest once it is ready.
            }
        } catch (IOException e) {
            // The pipe closed under the reader when the broker was stopped: nothing left to read.
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
