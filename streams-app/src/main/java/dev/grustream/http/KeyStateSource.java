package dev.grustream.http;

import dev.grustream.forecast.KeyState;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where the HTTP endpoints read key states from: the state store {@code series-state} of this instance through
 * Kafka Streams' interactive queries, and the metadata saying which instance holds a key.
 *
 * <p>Implementations are thread-safe. Reads may throw Kafka Streams'
 * {@link org.apache.kafka.streams.errors.InvalidStateStoreException} while stores move between instances.
 */
public interface KeyStateSource {

    /** The streams client's state. */
    KafkaStreams.State state();

    /**
     * Whether the streams client has been {@code RUNNING} since it started: until then a {@code REBALANCING} client is
     * still restoring its first assignment, afterwards it keeps processing and answering for the partitions it keeps.
     */
    boolean hasRun();

    /**
     * Whether every local store partition, standby copies included, has once been within Kafka Streams'
     * {@code acceptable.recovery.lag} of its changelog's end since the client first ran. A client is {@code RUNNING}
     * while its standby copies still restore: an instance that lost its state (an unclean stop under exactly-once)
     * would otherwise look ready to an orchestrator that then stops the instance whose tasks it would take over.
     */
    boolean caughtUp();

    /**
     * Which instance's active state {@code key} hashes to, or empty while that is not known (no assignment yet,
     * rebalancing).
     */
    Optional<HostInfo> locate(String key);

    /**
     * The state of {@code key} in whichever of this instance's active store partitions holds it, or null. Not only
     * the partition the key hashes to: a series id made by {@code input.key.fields} lives in its record key's
     * partition, which the id does not tell.
     */
    KeyState get(String key);

    /**
     * Every instance of the application whose active tasks hold key states, this one included if its do, as they
     * advertise; not one that holds only standby copies, which cannot be queried.
     */
    List<HostInfo> instances();

    /**
     * The first keys held by this instance's active stores, in store order: at most {@code limit}, and no more once the
     * next would take their UTF-8 bytes past {@code maxBytes} (the first is listed whatever its length).
     */
    List<String> keys(int limit, long maxBytes);

    /** The store's estimate of the keys this instance holds in its active stores. */
    long approximateCount();
}
