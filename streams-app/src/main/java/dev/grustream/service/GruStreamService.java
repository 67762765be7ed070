package dev.grustream.service;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.topology.ActiveModel;
import dev.grustream.topology.ForecasterMetrics;
import dev.grustream.topology.ForecasterSettings;
import dev.grustream.topology.GruStreamTopology;
import dev.grustream.topology.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gru-stream instance: the topology in a {@link KafkaStreams} client, the model it serves and its
 * metrics.
 *
 * <p>Lifecycle: {@link #create} builds everything without connecting; {@link #start()} checks the topics and starts
 * processing; {@link #close()} stops cleanly (committing what was processed) and may be called from a shutdown
 * hook. A stream thread that dies of an unexpected error is replaced, so that work resumes from the last commit.
 * Thread-safe.
 */
public final class GruStreamService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GruStreamService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final GruStreamConfig config;
    private final Topics topics;
    private final ActiveModel activeModel;
    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private GruStreamService(GruStreamConfig config, Topics topics, ActiveModel activeModel, KafkaStreams streams) {
        this.config = config;
        this.topics = topics;
        this.activeModel = activeModel;
        this.streams = streams;
    }

    /** Builds an instance from {@code config}, serving {@code model}; nothing connects until {@link #start()}. */
    public static GruStreamService create(GruStreamConfig config, GruModel model, MeterRegistry meters,
            Clock clock) {
        Topics topics = Topics.from(config);
        ActiveModel activeModel = new ActiveModel(model);
        Topology topology = GruStreamTopology.build(ForecasterSettings.from(config), topics, activeModel,
                new ForecasterMetrics(meters), clock);
        KafkaStreams streams = new KafkaStreams(topology, GruStreamTopology.streamsProperties(config));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("A stream thread died; replacing it, work resumes from the last commit", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        return new GruStreamService(config, topics, activeModel, streams);
    }

    /**
     * Checks that the topics exist (creating the missing ones with the brokers' defaults when
     * {@code createMissingTopics}), then starts processing.
     *
     * @throws IllegalStateException naming the missing topics
     */
    public void start(boolean createMissingTopics) {
        ensureTopics(createMissingTopics);
        GruModel model = activeModel.current();
        LOG.info("Starting gru-stream {} with model {}/{} ({} features, {} targets, {} layers of {} units)",
                config.passThrough().get(StreamsConfig.APPLICATION_ID_CONFIG), model.spec().name(),
                model.spec().version(), model.spec().featureCount(), model.spec().targetCount(),
                model.spec().numLayers(), model.spec().hiddenSize());
        streams.start();
    }

    private void ensureTopics(boolean createMissing) {
        List<String> wanted = List.of(topics.observations(), topics.forecasts(), topics.alerts(),
                topics.deadLetters());
        Properties adminProps = new Properties();
        config.passThrough().forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                adminProps.put(key, value);
            }
        });
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<String> missing = new ArrayList<>(wanted);
            missing.removeAll(existing);
            if (missing.isEmpty()) {
                return;
            }
            if (!createMissing) {
                throw new IllegalStateException("These topics do not exist: " + missing + ". Create them, or start"
                        + " with --create-topics to create them with the brokers' default partitions and"
                        + " replication");
            }
            List<NewTopic> newTopics = new ArrayList<>();
            missing.forEach(name -> newTopics.add(new NewTopic(name, Optional.empty(), Optional.empty())));
            for (Map.Entry<String, ? extends org.apache.kafka.common.KafkaFuture<Void>> entry
                    : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                    LOG.info("Created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking the topics", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot check the topics on " + adminProps.get("bootstrap.servers")
                    + ": " + e.getMessage(), e);
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    public ActiveModel activeModel() {
        return activeModel;
    }

    public Topics topics() {
        return topics;
    }

    /** Blocks until {@link #close()} has run. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops processing cleanly: processed work and the batch buffer are committed, stores are closed, and the
     * instance leaves the consumer group so that its partitions move to the other instances at once rather than
     * after the session timeout.
     */
    @Override
    public void close() {
        LOG.info("Stopping gru-stream");
        boolean clean = streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (!clean) {
            LOG.warn("Kafka Streams did not stop within {}", CLOSE_TIMEOUT);
        }
        stopped.countDown();
    }
}
