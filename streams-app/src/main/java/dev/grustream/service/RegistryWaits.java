package dev.grustream.service;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Compares how long a registry that does not answer can hold a stream thread with how long Kafka lets it go without
 * polling. The registry client is called while records are read and written, on the stream thread: if its retries
 * outlast {@code max.poll.interval.ms}, the thread leaves its group and its tasks move to another instance, which
 * waits on the same registry, rather than failing the task for a retry. Stateless.
 */
final class RegistryWaits {
    private static final String JSON = "json";

    private RegistryWaits() {
    }

    /**
     * A warning naming the settings to change when a registry call can outlast the main consumer's
     * {@code max.poll.interval.ms}; empty when it cannot, or when no REST registry is configured.
     *
     * @param config the instance's settings, whose pass-through ones configure the serdes' registry client
     * @param streamsProps the Kafka Streams properties the instance starts with
     */
    static Optional<String> beyondPollInterval(GruStreamConfig config, Properties streamsProps) {
        if (JSON.equals(config.getString(GruStreamConfig.INPUT_FORMAT))
                && JSON.equals(config.getString(GruStreamConfig.OUTPUT_FORMAT))) {
            return Optional.empty(); // the stream threads never call the registry
        }
        AvroSerdeConfig registry;
        Duration pollInterval;
        try {
            registry = new AvroSerdeConfig(config.passThrough());
            String key = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
            Object configured = new StreamsConfig(streamsProps).getMainConsumerConfigs("check", "check", 0).get(key);
            pollInterval = Duration.ofMillis(configured == null
                    ? (Integer) ConsumerConfig.configDef().defaultValues().get(key)
                    : Long.parseLong(String.valueOf(configured).trim()));
        } catch (RuntimeException e) {
            // A setting refused here is refused, with its name, where the serdes or the consumer are configured.
            return Optional.empty();
        }
        if (registry.schemaRegistryUrls().isEmpty() || registry.mockScope().isPresent()) {
            return Optional.empty();
        }
        Duration longest = registry.longestUnansweredCall();
        if (longest.compareTo(pollInterval) < 0) {
            return Optional.empty();
        }
        return Optional.of("A Schema Registry that does not answer can hold a stream thread for up to "
                + longest.toSeconds() + " s (" + registry.schemaRegistryUrls().size() + " URL(s) waited on for "
                + AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG + " in each of "
                + AvroSerdeConfig.MAX_RETRIES_CONFIG + " + 1 rounds, with " + AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG
                + " between them; with OAUTHBEARER, after as many attempts at a token), not less than the main"
                + " consumer's " + ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG
                + " (" + pollInterval.toSeconds() + " s): the thread would then leave its group and its tasks move"
                + " elsewhere instead of being retried. Lower "
                + AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG + " or "
                + AvroSerdeConfig.MAX_RETRIES_CONFIG + ", or raise " + ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG
                + ".");
    }
}
