package dev.grustream.cli;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.embedded.ObservationGenerator;
import dev.grustream.embedded.SyntheticSeries;
import dev.grustream.topology.Topics;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gru-stream generate}: the demo's generator on its own, producing synthetic observations to an existing
 * cluster (for the container setup, load tests, or trying a deployment).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Produces seasonal, trending, noisy series with injected anomalies to the observations topic",
                "of an existing cluster, until stopped. Uses the same settings as 'run' (bootstrap.servers,",
                "schema.registry.url, topic.observations, client security) from --config, GRU_STREAM_* and --set."})
final class GenerateCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateCommand.class);

    @Mixin
    ConfigOptions config;

    @Option(names = "--keys", defaultValue = "20", description = "Number of series (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--rate", defaultValue = "200",
            description = "Observations per second over all series (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "0", paramLabel = "SECONDS",
            description = "Stop after this many seconds; 0 runs until stopped (default).")
    long durationSeconds;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the series (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws InterruptedException {
        GruStreamConfig settings = config.load(Map.of());
        Topics topics = Topics.from(settings);
        Map<String, Object> producerConfig = new java.util.HashMap<>();
        settings.passThrough().forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key)) {
                producerConfig.put(key, value);
            }
        });
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "generate-shutdown"));
        try (ObservationGenerator generator = new ObservationGenerator(new SyntheticSeries(keys, seed, 300_000, 0),
                topics.observations(), rate, producerConfig, topics.observationSerde().serializer(),
                Clock.systemUTC())) {
            generator.start();
            LOG.info("Producing {} series at {}/s to {}", keys, rate, topics.observations());
            long deadline = durationSeconds > 0
                    ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
            while (!stop.await(Math.min(TimeUnit.SECONDS.toNanos(10), deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS) && System.nanoTime() < deadline) {
                LOG.info("{} observations sent, {} anomalies injected", generator.sent(), generator.injectedAnomalies());
            }
        }
        return 0;
    }
}
