package dev.grustream.service;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings of gru-stream's own Kafka clients, taken as Kafka Streams takes its own clients': a client's keys and
 * the keys of no client (a plug-in's own), then the keys under the client type's prefix, which win. So what a user sets
 * for Kafka Streams' admin client, consumers or producer (SASL credentials given per client type, say) reaches
 * gru-stream's too. Stateless.
 */
public final class ClientSettings {
    private static final Set<String> KNOWN_KEYS = Stream.of(StreamsConfig.configDef().names(),
            ConsumerConfig.configNames(), ProducerConfig.configNames(), AdminClientConfig.configNames())
            .flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());
    private static final List<String> STREAMS_PREFIXES = List.of(StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX,
            StreamsConfig.TOPIC_PREFIX);

    private ClientSettings() {
    }

    /** The admin client's keys of {@code settings}, then its keys prefixed {@code admin.}, prefix removed. */
    public static Map<String, Object> admin(Map<String, Object> settings) {
        return of(settings, AdminClientConfig.configNames(), StreamsConfig.ADMIN_CLIENT_PREFIX);
    }

    /**
     * The consumer's keys of {@code settings}, then its keys prefixed {@code consumer.}, prefix removed: as Kafka
     * Streams' restore and global consumers, which like gru-stream's read topics without a group, take them. Without
     * the keys of a group ({@link #withoutGroup}).
     */
    public static Map<String, Object> consumer(Map<String, Object> settings) {
        return withoutGroup(of(settings, ConsumerConfig.configNames(), StreamsConfig.CONSUMER_PREFIX));
    }

    /**
     * The consumer's keys of {@code settings} as Kafka Streams' main consumer, which reads the observations, takes
     * them: {@link #consumer}'s, then the keys prefixed {@code main.consumer.}, prefix removed, which win.
     */
    public static Map<String, Object> mainConsumer(Map<String, Object> settings) {
        Map<String, Object> consumer = withPrefixed(consumer(settings), settings, StreamsConfig.MAIN_CONSUMER_PREFIX);
        return withoutGroup(consumer);
    }

    /**
     * {@code consumer} without the keys of a consumer group, since gru-stream's consumers read without one (nothing
     * to authorize, no offsets left behind): the group's id, a static member's id, and auto-commit, which a consumer
     * without a group then leaves off (given as true, it would refuse to start); and the group protocol's keys, which
     * Kafka Streams' own {@code group.protocol} shares a name with and removes too.
     */
    private static Map<String, Object> withoutGroup(Map<String, Object> consumer) {
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        consumer.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        consumer.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        consumer.remove(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);
        return consumer;
    }

    /**
     * Creates one of gru-stream's own Kafka clients with {@code client}, reporting what stops it as the user's to
     * fix: a {@link ConfigException} as it is (its message names the setting), any other {@link KafkaException} as
     * {@link #cannotCreateClients}. The clients' constructors wrap whatever they meet in one: most often the settings
     * (a trust store that cannot be read, a JAAS line that does not parse), also a plug-in the settings name (an
     * interceptor, a config provider) that fails; the message carries the innermost cause's.
     */
    public static <T> T create(Supplier<T> client) {
        try {
            return client.get();
        } catch (ConfigException e) {
            throw e;
        } catch (KafkaException e) {
            throw cannotCreateClients(e);
        }
    }

    /**
     * The error to report when Kafka clients cannot even be created from the user's settings (a trust store that
     * cannot be read, a JAAS line that does not parse): the user's to fix, in one line.
     */
    public static OperatorException cannotCreateClients(KafkaException e) {
        return new OperatorException("Cannot create the Kafka clients: " + StreamThreadFailures.deepestMessage(e)
                + " (check bootstrap.servers, security.protocol, sasl.* and ssl.*)", e);
    }

    /** The producer's keys of {@code settings}, then its keys prefixed {@code producer.}, prefix removed. */
    public static Map<String, Object> producer(Map<String, Object> settings) {
        return of(settings, ProducerConfig.configNames(), StreamsConfig.PRODUCER_PREFIX);
    }

    private static Map<String, Object> of(Map<String, Object> settings, Set<String> names, String prefix) {
        Map<String, Object> client = new HashMap<>();
        settings.forEach((key, value) -> {
            if (names.contains(key) || isPlugInsOwn(key)) {
                client.put(key, value);
            }
        });
        return withPrefixed(client, settings, prefix);
    }

    /**
     * Whether {@code key} is a setting of no client, nor of Kafka Streams or gru-stream, and under none of Kafka
     * Streams' prefixes: a plug-in's own (a SASL login callback handler's token endpoint, an interceptor's), which
     * Kafka Streams gives every client it makes, and so gru-stream gives its own.
     */
    private static boolean isPlugInsOwn(String key) {
        return !KNOWN_KEYS.contains(key) && !GruStreamConfig.isOwnKey(key)
                && STREAMS_PREFIXES.stream().noneMatch(key::startsWith);
    }

    /**
     * {@code client} with every key of {@code settings} under {@code prefix}, prefix removed, over its own, as Kafka
     * Streams passes them: a plug-in's own settings (a SASL callback handler's) too.
     */
    private static Map<String, Object> withPrefixed(Map<String, Object> client, Map<String, Object> settings,
            String prefix) {
        settings.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                client.put(key.substring(prefix.length()), value);
            }
        });
        return client;
    }
}
