package dev.grustream.service;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Whether a starting instance creates the topics it finds missing, and with how many partitions and replicas (the
 * brokers' defaults where absent). Immutable.
 *
 * @param create whether to create missing topics; if not, a missing topic refuses the start
 * @param partitions the partitions of each created topic, or empty for the brokers' {@code num.partitions}
 * @param replicationFactor the replicas of each created topic, or empty for the brokers'
 *     {@code default.replication.factor}
 */
public record TopicCreation(boolean create, OptionalInt partitions, Optional<Short> replicationFactor) {
    /** Create nothing: every topic must exist. */
    public static final TopicCreation NONE = new TopicCreation(false, OptionalInt.empty(), Optional.empty());
    /** Create missing topics with the brokers' default partitions and replication. */
    public static final TopicCreation BROKER_DEFAULTS = new TopicCreation(true, OptionalInt.empty(),
            Optional.empty());

    /**
     * The replicas of the topics gru-stream creates: {@code given} (a command's {@code --replication-factor}) if not
     * null, else those Kafka Streams' {@code replication.factor} gives the changelogs if {@code settings} (the
     * settings passed through to Kafka Streams) set a positive one, so that one setting replicates every topic alike;
     * else none, for the brokers' default.
     *
     * @throws IllegalArgumentException if {@code replication.factor} is needed and is not a whole number
     */
    public static Optional<Short> replicasOf(Short given, Map<String, ?> settings) {
        if (given != null) {
            return Optional.of(given);
        }
        Object configured = settings.get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        if (configured == null) {
            return Optional.empty();
        }
        short factor;
        try {
            factor = Short.parseShort(configured.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(StreamsConfig.REPLICATION_FACTOR_CONFIG + " must be a whole number"
                    + " of replicas (at most " + Short.MAX_VALUE + "), found '" + configured + "'");
        }
        return factor > 0 ? Optional.of(factor) : Optional.empty();
    }

    /**
     * The topic settings every topic gru-stream creates takes from {@code settings} (the settings passed through to
     * Kafka Streams): {@code min.insync.replicas} where {@code topic.min.insync.replicas} sets it for the changelogs,
     * so that the outputs, whose input offsets commit with them, survive a broker as the state does. Kafka Streams
     * applies {@code topic.*} to the topics it creates only.
     */
    public static Map<String, String> durabilityOf(Map<String, ?> settings) {
        Object minInSync = settings.get(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
        return minInSync == null ? Map.of()
                : Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInSync.toString().trim());
    }

    /**
     * @throws IllegalArgumentException if partitions or replicas are given but not positive, or given without
     *     {@code create}
     */
    public TopicCreation {
        if (partitions.isPresent() && partitions.getAsInt() < 1
                || replicationFactor.isPresent() && replicationFactor.get() < 1) {
            throw new IllegalArgumentException("partitions and replication factor must be at least 1, found "
                    + partitions + " and " + replicationFactor);
        }
        if (!create && (partitions.isPresent() || replicationFactor.isPresent())) {
            throw new IllegalArgumentException("partitions and replication factor apply only to topics created");
        }
    }
}
