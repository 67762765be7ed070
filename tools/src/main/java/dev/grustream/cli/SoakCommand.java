package dev.grustream.cli;

import dev.grustream.bench.Soak;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gru-stream soak}: the service under a steady load for a bounded time, its lag and memory sampled. */
@Command(name = "soak",
        header = "Runs the service under a steady load for a bounded time and samples its health.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the service (gru-stream run, in a JVM of its own) under a steady load for --minutes over",
                "--keys distinct keys that come and go, with idle-key eviction (state.ttl.ms) active, and prints every",
                "sample: consumer lag, heap (used and live after GC), RocksDB memory, resident size, keys stored and",
                "evicted, dead letters, ERROR log lines. Unless --rate is given, the rate is --fraction of the rate at",
                "which the service drains a calibration burst. Unless --bootstrap is given, a broker is started in a",
                "separate JVM and a schema registry in this one. Exit code 0 when the run had no error, the lag",
                "drained at the end and every observation ended as one forecast or dead letter (under at-least-once",
                "a forecast written twice counts once; under exactly-once it is an error), 1 otherwise."})
final class SoakCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "SERVERS", description = "Use this cluster instead of a local"
            + " broker. The run's topics (soak-*) and groups are left there: delete them afterwards.")
    String bootstrap;

    @Option(names = "--registry", paramLabel = "URL",
            description = "Schema registry of that cluster (default: one started in this process).")
    String registryUrl;

    @Option(names = {"--duration", "--minutes"}, defaultValue = "30", paramLabel = "DURATION",
            converter = Durations.Minutes.class,
            description = "Length of the run (45s, 90m, 2h; a plain number is minutes; default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--keys", defaultValue = "1000000",
            description = "Distinct keys over the run (default: ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--active-keys", defaultValue = "20000",
            description = "Keys busy at any one time (default: ${DEFAULT-VALUE}).")
    int activeKeys;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "RECORDS/S",
            description = "Offered rate; 0 (default) calibrates and offers --fraction of the maximum.")
    double rate;

    @Option(names = "--fraction", defaultValue = "0.5",
            description = "Fraction of the calibrated maximum to offer (default: ${DEFAULT-VALUE}).")
    double fraction;

    @Option(names = "--calibration-records", defaultValue = "200000",
            description = "Size of the calibration burst (default: ${DEFAULT-VALUE}).")
    int calibrationRecords;

    @Option(names = "--partitions", defaultValue = "4", description = "Input partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--guarantee", defaultValue = "exactly-once-v2",
            description = "at-least-once or exactly-once-v2 (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--ttl", defaultValue = "120000", paramLabel = "DURATION", converter = Durations.Millis.class,
            description = "state.ttl.ms: idle keys are evicted after this (2m; a plain number is milliseconds;"
                    + " default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(names = "--ttl-scan-interval", defaultValue = "10000", paramLabel = "DURATION",
            converter = Durations.Millis.class,
            description = "state.ttl.scan.interval.ms (10s; a plain number is milliseconds; default:"
                    + " ${DEFAULT-VALUE}).")
    Duration ttlScanInterval;

    @Option(names = {"--sample-interval", "--sample-seconds"}, defaultValue = "60", paramLabel = "DURATION",
            converter = Durations.Seconds.class,
            description = "Interval between samples (1m; a plain number is seconds; default: ${DEFAULT-VALUE}).")
    Duration sampleInterval;

    @Option(names = "--heap", defaultValue = "1g",
            description = "-Xmx of the service's JVM (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A setting of the service (gru-stream run --set), over the soak's defaults; repeatable.")
    Map<String, String> settings = Map.of();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file of service settings under the GRU_STREAM_* environment and --set, as for"
                    + " run: credentials (sasl.jaas.config, say) belong here, as a command line is seen by every user"
                    + " of the machine. The soak's own cluster, registry, topics, application, state and address"
                    + " outrank them all; its topics hold gru-stream's own Avro records, so a file's format and subject"
                    + " settings are left out.")
    Path config;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the service's state and log go (default: a new temporary directory); kept after the"
                    + " run, for the log.")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (sampleInterval.isZero() || sampleInterval.isNegative() || duration.isZero() || duration.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--duration and --sample-interval must be positive");
        }
        String processing = ProcessingGuarantees.parse(guarantee);
        Map<String, String> serviceSettings = BenchCommand.serviceSettings(config, System.getenv(), settings);
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("gru-soak");
        Process broker = null;
        InMemorySchemaRegistryServer registry = null;
        try {
            String servers = bootstrap;
            if (servers == null) {
                int port = BenchCommand.freePort();
                broker = BenchCommand.startBroker(port, (short) 1, out);
                servers = "localhost:" + port;
            }
            String registryAt = registryUrl;
            if (registryAt == null) {
                registry = InMemorySchemaRegistryServer.start(0);
                registryAt = registry.url();
            }
            Soak.Options options = new Soak.Options(servers, registryAt, duration, keys, activeKeys, rate, fraction,
                    calibrationRecords, partitions, processing, ttl.toMillis(), ttlScanInterval.toMillis(),
                    sampleInterval, heap, work, serviceSettings);
            Soak.Result result = new Soak(options).run(line -> {
                out.println(line);
                out.flush();
            });
            out.println();
            out.println(result.summary());
            out.flush();
            // Nothing may be lost; under at-least-once a forecast may be written twice (counted once), under
            // exactly-once not.
            boolean accounted = result.unaccounted() == 0
                    && (!processing.equals(StreamsConfig.EXACTLY_ONCE_V2) || result.duplicateForecasts() == 0);
            return result.errors() == 0 && result.drainedLag() == 0 && accounted ? 0 : 1;
        } finally {
            if (registry != null) {
                registry.close();
            }
            if (broker != null) {
                broker.destroy();
                broker.waitFor();
            }
        }
    }
}
