package dev.grustream.cli;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.embedded.ObservationGenerator;
import dev.grustream.service.ClientSettings;
import dev.grustream.topology.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code gru-stream generate}: the demo's generator on its own, producing synthetic observations to an existing
 * cluster (for the container setup, load tests, or trying a deployment).
 */
@Command(name = "generate",
        header = "Produces the demo's synthetic observations to a cluster until stopped.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Produces seasonal, trending, noisy series with injected anomalies to the observations topic",
                "of an existing cluster, until stopped, as gru-stream's own Avro Observations with one feature,",
                "'value' (input.format=avro, and a model that reads 'value', as the bundled one does). Uses the same",
                "settings as 'run' (bootstrap.servers, schema.registry.url, topic.observations, client security)",
                "from --config, GRU_STREAM_* and --set."})
final class GenerateCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateCommand.class);
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    @Mixin
    ConfigOptions config;

    @Mixin
    GeneratorOptions series;

    @Override
    public Integer call() throws InterruptedException {
        GruStreamConfig settings = config.load(Map.of());
        String format = settings.getString(GruStreamConfig.INPUT_FORMAT);
        if (!format.equals("avro")) {
            throw new OperatorException("generate writes gru-stream's own Avro Observations, which an instance with "
                    + GruStreamConfig.INPUT_FORMAT + "=" + format + " would dead-letter; generate for instances"
                    + " with " + GruStreamConfig.INPUT_FORMAT + "=avro");
        }
        Topics topics = Topics.from(settings);
        ObservationGenerator generator = new ObservationGenerator(series.newSeries(), topics.observations(),
                series.rate, ClientSettings.producer(settings.passThrough()), topics.observationSerde().serializer(),
                Clock.systemUTC(), 0);
        // Stopped by a signal, the JVM waits for the generator's close, which flushes the last records.
        try (StopSignal stop = new StopSignal("generate-shutdown", Duration.ofSeconds(30)); generator) {
            generator.start();
            LOG.info("Producing {} series at {}/s to {}", series.keys, series.rate, topics.observations());
            long deadline = series.deadlineNanos();
            long nextReport = System.nanoTime() + REPORT_EVERY_NANOS;
            while (generator.failure().isEmpty() && !stop.await(Math.min(TimeUnit.SECONDS.toNanos(1),
                    deadline - System.nanoTime()), TimeUnit.NANOSECONDS) && System.nanoTime() < deadline) {
                if (System.nanoTime() >= nextReport) {
                    LOG.info("{} observations sent, {} anomalies injected", generator.sent(),
                            generator.injectedAnomalies());
                    nextReport += REPORT_EVERY_NANOS;
                }
            }
        }
        // Checked after closing, which flushes the last records: a failure among them counts as well. Non-zero, so
        // that a supervisor (the compose file's restart policy) starts it again.
        if (generator.failure().isPresent()) {
            LOG.error("Stopping: the generator could not send ({}); {} observations were sent",
                    generator.failure().get().toString(), generator.sent());
            return 1;
        }
        return 0;
    }
}
