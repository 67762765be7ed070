package dev.grustream.cli;

import dev.grustream.backtest.TopologyReplay;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.embedded.ObservationGenerator;
import dev.grustream.embedded.SyntheticSeries;
import dev.grustream.model.GruModel;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.service.GruStreamService;
import dev.grustream.service.ModelSource;
import dev.grustream.service.TopicCreation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gru-stream demo}: the main job on embedded defaults. Everything runs in this process: a Kafka broker
 * (KRaft), a schema registry, the service with the bundled model, and a generator of realistic series with a few
 * injected anomalies; the terminal shows rates, forecasts and alerts until Ctrl-C.
 */
@Command(name = "demo",
        header = "Runs the whole pipeline in this process, with a live view of forecasts and alerts.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the whole pipeline in this process: a Kafka broker (KRaft), a schema registry, the",
                "gru-stream service with the bundled model, and a generator of seasonal, trending, noisy series",
                "with injected anomalies. Shows events per second, actual vs forecast values and alerts live,",
                "until Ctrl-C (or --duration). Exits 1 when the service or the generator failed, or when no",
                "forecast came for the observations sent (dead letters instead, or nothing for 30 s)."})
final class DemoCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    GeneratorOptions series;

    @Option(names = "--bootstrap-port", defaultValue = "0", paramLabel = "PORT",
            description = "Also serve the broker on localhost:PORT, for kcat or a console consumer (0: none).")
    int bootstrapPort;

    @Option(names = "--registry-port", defaultValue = "0", paramLabel = "PORT",
            description = "Serve the schema registry over HTTP on localhost:PORT (0: in-process mock:// only).")
    int registryPort;

    /** The HTTP port when none is given and it is free; the banner shows the one taken. */
    static final int DEFAULT_HTTP_PORT = 8080;
    /** The bytes each partition of the demo's broker keeps (its topics' retention.bytes). */
    private static final long DEMO_PARTITION_BYTES = 32L << 20;
    /** How long a demo may send without a forecast before that is a fault: the first come within seconds. */
    private static final Duration NO_FORECAST_LIMIT = Duration.ofSeconds(30);
    /** Each key's last points the generator keeps for the view to match forecasts and alerts with. */
    private static final int SHOWN_POINTS = 256;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of the HTTP API, health and /metrics"
            + " (default: 8080, or a free one when 8080 is taken; 0 picks a free one).")
    Integer httpPort;

    @Option(names = "--model", paramLabel = "DIR|ZIP", description = "Model to serve, of the one feature 'value' the"
            + " series send (default: the bundled model).")
    Path model;

    @Option(names = "--show-keys", defaultValue = "8",
            description = "Series shown in the table (default: ${DEFAULT-VALUE}).")
    int shownKeys;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "A gru-stream setting; repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TopologyReplay.refuseFormatSettings(settings);
        try (StopSignal stop = new StopSignal("demo-shutdown", Duration.ofSeconds(60))) {
            return run(out, stop);
        }
    }

    private int run(PrintWriter out, StopSignal stop) throws Exception {
        out.println("gru-stream demo: starting a Kafka broker, a schema registry and the service in this process...");
        out.flush();
        GruModel gru = model == null ? ModelSource.bundled() : ModelSource.load(model);
        if (!gru.spec().features().equals(List.of(ObservationGenerator.FEATURE))) {
            // Every observation would be dead-lettered as missing-feature, and nothing shown.
            throw new OperatorException("the demo's series send one feature, '" + ObservationGenerator.FEATURE
                    + "', and the model " + gru.spec().name() + " reads " + gru.spec().features()
                    + ": give the demo a model of that one feature (train one with train --features "
                    + ObservationGenerator.FEATURE + ")");
        }
        Path stateDir = Files.createTempDirectory("gru-stream-demo");
        TopologyReplay.quietTemporaryDirectoryWarning();
        Optional<String> failure = Optional.empty();
        String registryScope = "gru-stream-demo";
        // The demo runs until stopped: each partition keeps about its last DEMO_PARTITION_BYTES, checked every
        // minute, so that a demo left running does not fill the disk of the temporary directory.
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().hostPort(bootstrapPort)
                .brokerConfig("log.retention.bytes", DEMO_PARTITION_BYTES)
                .brokerConfig("log.segment.bytes", (int) (DEMO_PARTITION_BYTES / 4))
                .brokerConfig("log.retention.check.interval.ms", 60_000).start();
                InMemorySchemaRegistryServer registry = registryPort > 0
                        ? InMemorySchemaRegistryServer.start(registryPort) : null) {
            String registryUrl = registry != null ? registry.url() : "mock://" + registryScope;
            GruStreamConfig config = config(kafka.bootstrapServers(), registryUrl, stateDir);
            kafka.createTopics(Map.of(
                    config.getString(GruStreamConfig.TOPIC_OBSERVATIONS), 4,
                    config.getString(GruStreamConfig.TOPIC_FORECASTS), 4,
                    config.getString(GruStreamConfig.TOPIC_ALERTS), 1,
                    config.getString(GruStreamConfig.TOPIC_DEAD_LETTERS), 1));
            try (GruStreamService service = GruStreamService.create(config, gru, new SimpleMeterRegistry(),
                    Clock.systemUTC())) {
                service.start(TopicCreation.NONE);
                ObservationGenerator generator = new ObservationGenerator(
                        series.newSeries(), service.topics().observations(), series.rate,
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        service.topics().observationSerde().serializer(), Clock.systemUTC(), SHOWN_POINTS);
                try (generator; DemoView view = new DemoView(kafka.bootstrapServers(), service.topics(), generator,
                        shownKeys)) {
                    awaitRunning(service);
                    view.start();
                    generator.start();
                    long generating = System.nanoTime();
                    String banner = banner(gru, kafka, registryUrl) + service.httpEndpoint()
                            .map(endpoint -> " | HTTP http://" + endpoint).orElse("");
                    loop(out, view, banner, stop, generator, service);
                    out.printf(Locale.ROOT, "%nstopping: %d observations sent, %d forecasts, %d alerts and %d dead"
                            + " letters seen%n", generator.sent(), view.forecasts(), view.alerts(),
                            view.deadLetters());
                    out.flush();
                    failure = failure(generator, view, service, Duration.ofNanos(System.nanoTime() - generating));
                }
            }
        } finally {
            MockSchemaRegistry.dropScope(registryScope);
            Utils.delete(stateDir.toFile());
        }
        if (failure.isPresent()) {
            out.println("gru-stream demo: " + failure.get());
            out.flush();
            return 1;
        }
        out.println("gru-stream demo: stopped cleanly");
        out.flush();
        return 0;
    }

    /**
     * Why the demo did not do its job, if it did not: what stopped it, or forecasts that never came while dead letters
     * did or for {@link #NO_FORECAST_LIMIT} (a run stopped sooner may end before the first forecast is read).
     */
    private static Optional<String> failure(ObservationGenerator generator, DemoView view, GruStreamService service,
            Duration generated) {
        if (service.failed()) {
            return Optional.of("the service stopped after a fatal error (see the log above)");
        }
        if (generator.failure().isPresent()) {
            return Optional.of("the generator stopped: " + generator.failure().get());
        }
        if (generator.sent() > 0 && view.forecasts() == 0
                && (view.deadLetters() > 0 || generated.compareTo(NO_FORECAST_LIMIT) >= 0)) {
            return Optional.of("no forecast was seen for the " + generator.sent() + " observations sent"
                    + (view.deadLetters() > 0 ? "; " + view.deadLetters() + " dead letters say why" : ""));
        }
        return Optional.empty();
    }

    /**
     * Whether {@code port} of 127.0.0.1 can be bound now: a demo started beside something on 8080 (another service,
     * a second demo) takes a free port instead of failing to start.
     */
    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private GruStreamConfig config(String bootstrapServers, String registryUrl, Path stateDir) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "gru-stream-demo");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put("schema.registry.url", registryUrl);
        props.put(GruStreamConfig.HTTP_PORT, String.valueOf(httpPort != null ? httpPort
                : free(DEFAULT_HTTP_PORT) ? DEFAULT_HTTP_PORT : 0));
        props.put(GruStreamConfig.HTTP_BIND_ADDRESS, "127.0.0.1");
        props.put(GruStreamConfig.HTTP_ADVERTISED_HOST, "localhost");
        // Demo series run at about ten events per second per key, with the wall clock as event time: a day of
        // them passes in half a minute, so alerts are suppressed for seconds, not minutes.
        props.put(GruStreamConfig.ALERT_SUPPRESSION_MS, "5000");
        // For the same reason a key's range is warm after one of the demo's days, not one of the clock's.
        props.put(GruStreamConfig.ANOMALY_RANGE_WARMUP_MS,
                String.valueOf(Math.round(SyntheticSeries.DAY * series.keys / series.rate * 1000.0)));
        props.putAll(settings);
        return new GruStreamConfig(props);
    }

    private static void awaitRunning(GruStreamService service) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (service.streams().state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new OperatorException("the service did not reach RUNNING within 60 s (state "
                        + service.streams().state() + ")");
            }
            Thread.sleep(100);
        }
    }

    private void loop(PrintWriter out, DemoView view, String banner, StopSignal stop,
            ObservationGenerator generator, GruStreamService service) throws InterruptedException {
        boolean terminal = System.console() != null;
        long refreshMillis = terminal ? 1_000 : 5_000;
        Instant started = Instant.now();
        long deadline = series.deadlineNanos();
        if (!terminal) {
            // A terminal shows the banner above every refresh; a log gets it once, with where the HTTP API listens.
            out.println(banner);
        }
        while (!stop.await(refreshMillis, TimeUnit.MILLISECONDS)) {
            view.render(out, banner, terminal, started);
            if (generator.failure().isPresent() || service.failed()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                return;
            }
        }
        LOG.info("Interrupted: stopping the demo");
    }

    private String banner(GruModel gru, EmbeddedKafkaCluster kafka, String registryUrl) {
        return String.format(Locale.ROOT,
                "gru-stream demo | model %s %s (%d x %d %s) | broker %s | registry %s | %d series at %.0f/s",
                gru.spec().name(), gru.spec().version(), gru.spec().numLayers(), gru.spec().hiddenSize(),
                gru.spec().gateVariant().jsonName(), bootstrapPort > 0 ? "localhost:" + bootstrapPort
                        : kafka.bootstrapServers(), registryUrl, series.keys, series.rate);
    }
}
