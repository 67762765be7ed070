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

    /** Which instance holds a key's active state, and in which partition of the store. */
    record Location(HostInfo host, int partition) {
    }

    /** The streams client's state. */
    KafkaStreams.State state();

    /** Where {@code key}'s state lives, or empty while that is not known (no assignment yet, rebalancing). */
    Optional<Location> locate(String key);

    /** The state of {@code key} in this instance's store partition {@code partition}, or null if it has none. */
    KeyState get(String key, int partition);

    /**
     * The state of {@code key} in whichever of this instance's active store partitions holds it, or null. Needed
     * where the series id is not the record key ({@code input.key.fields}): the partition then follows the record
     * key, which the series id does not tell.
     */
    KeyState getFromAnyPartition(String key);

    /** At most {@code limit} keys held by this instance's active stores, in store order. */
    List<String> keys(int limit);

    /** The store's estimate of the keys this instance holds in its active stores. */
    long approximateCount();
}
