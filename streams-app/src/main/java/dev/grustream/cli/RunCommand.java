package dev.grustream.cli;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.model.GruModel;
import dev.grustream.service.GruStreamService;
import dev.grustream.service.ModelSource;
import dev.grustream.service.TopicCreation;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gru-stream run}: the service, configured from a file, the environment and the command line. */
@Command(name = "run",
        header = "Runs the service: forecasts and alerts for every key of the observations topic.",
        mixinStandardHelpOptions = true,
        description = {"Runs the gru-stream service until stopped (SIGTERM or Ctrl-C stop it cleanly; the JVM then",
                "exits with 143 or 130, as for any signal), or until a fatal error stops it (a state directory that",
                "fails while it runs, registry credentials refused; exit code 1). A start refused (a bad setting, a",
                "state directory it cannot write, Kafka refusing the credentials, missing topics) exits with 2.",
                "Settings: defaults < --config file < GRU_STREAM_* environment < --set KEY=VALUE."})
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOptions config;

    @Option(names = "--create-topics",
            description = "Create missing topics (with the brokers' default partitions unless given below, and with"
                    + " --replication-factor, else replication.factor, else the brokers' default replicas;"
                    + " topic.min.insync.replicas, when set, as the changelogs).")
    boolean createTopics;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of each topic --create-topics creates (the models topic always has one).")
    Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "R",
            description = "Replicas of each topic --create-topics creates, and of the state stores' changelogs"
                    + " unless replication.factor is set.")
    Short replicationFactor;

    /**
     * What {@code --create-topics} creates with these settings: each topic with {@code --replication-factor}
     * replicas, else with the settings' {@code replication.factor} (as the changelogs), else the brokers' default.
     */
    TopicCreation topicCreation(GruStreamConfig settings) {
        if (!createTopics && (partitions != null || replicationFactor != null)) {
            throw new OperatorException("--partitions and --replication-factor apply only with --create-topics");
        }
        if (!createTopics) {
            return TopicCreation.NONE;
        }
        try {
            return new TopicCreation(true, partitions == null ? OptionalInt.empty() : OptionalInt.of(partitions),
                    TopicCreation.replicasOf(replicationFactor, settings.passThrough()));
        } catch (IllegalArgumentException e) {
            throw new OperatorException(e.getMessage());
        }
    }

    /**
     * The instance's settings. {@code --replication-factor} also sets Kafka Streams' {@code replication.factor}, the
     * replicas of the changelogs it creates, unless the settings give it: left at -1, they take the brokers'
     * {@code default.replication.factor}, 1 on a stock broker, and a changelog of one replica stalls its tasks
     * whenever its broker restarts and loses the keys' states with the broker's disk.
     */
    GruStreamConfig settings() {
        GruStreamConfig settings = config.load(Map.of());
        if (replicationFactor == null
                || settings.passThrough().containsKey(StreamsConfig.REPLICATION_FACTOR_CONFIG)) {
            return settings;
        }
        // From the settings read, not read again: the sources' warnings are given once.
        Map<String, Object> replicated = new HashMap<>(settings.originals());
        replicated.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, String.valueOf(replicationFactor));
        return new GruStreamConfig(replicated);
    }

    @Override
    public Integer call() throws Exception {
        GruStreamConfig settings = settings();
        TopicCreation topics = topicCreation(settings);
        LOG.info("Configuration (secrets hidden): {}", settings.redactedSummary());
        GruModel model = ModelSource.load(settings);
        // Meters go to the service's own Prometheus registry (GET /metrics); no other registry is wanted here.
        GruStreamService service = GruStreamService.create(settings, model, ModelSource.describe(settings),
                new CompositeMeterRegistry(), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "gru-stream-shutdown"));
        service.start(topics);
        service.awaitStop();
        // A non-zero exit tells a supervisor that the instance stopped by itself after a fatal error (logged).
        return service.failed() ? 1 : 0;
    }
}
