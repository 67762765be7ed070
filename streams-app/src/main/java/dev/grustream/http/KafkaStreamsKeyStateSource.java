package dev.grustream.http;

import dev.grustream.forecast.KeyState;
import dev.grustream.topology.GruStreamTopology;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@link KeyStateSource} over a running {@link KafkaStreams} client: interactive queries of its
 * {@link GruStreamTopology#STATE_STORE} store.
 *
 * <p>Learns that the client has run through {@link #onStateChange}, which the owner of the client's one state
 * listener calls. Thread-safe, as Kafka Streams' interactive queries are.
 */
public final class KafkaStreamsKeyStateSource implements KeyStateSource {
    /** A stream thread's state when it processes its tasks ({@code StreamThread.State}, internal, hence named). */
    private static final String RUNNING_THREAD = "RUNNING";

    private final KafkaStreams streams;
    private final int storeSubtopology;
    private volatile boolean hasRun;
    private final Serializer<String> keySerializer = Serdes.String().serializer();

    /**
     * @param storeSubtopology the subtopology whose tasks hold the state store: the forecaster's
     *     ({@link GruStreamTopology#storeSubtopology}); with {@code input.repartition} the observations' source runs
     *     in tasks of another, which hold no key
     */
    public KafkaStreamsKeyStateSource(KafkaStreams streams, int storeSubtopology) {
        this.streams = streams;
        this.storeSubtopology = storeSubtopology;
    }

    @Override
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public boolean hasRun() {
        return hasRun;
    }

    /** Notes a change of the client's state; call it from the client's state listener. */
    public void onStateChange(KafkaStreams.State newState) {
        if (newState == KafkaStreams.State.RUNNING) {
            hasRun = true;
        }
    }

    @Override
    public Optional<HostInfo> locate(String key) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(GruStreamTopology.STATE_STORE, key, keySerializer);
        } catch (IllegalStateException e) {
            throw stopping(e);
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return Optional.empty();
        }
        return Optional.of(metadata.activeHost());
    }

    @Override
    public List<HostInfo> instances() {
        try {
            // Kafka Streams lists an instance with only a standby copy of the store too; its queries fail.
            return streams.streamsMetadataForStore(GruStreamTopology.STATE_STORE).stream()
                    .filter(instance -> instance.stateStoreNames().contains(GruStreamTopology.STATE_STORE))
                    .map(StreamsMetadata::hostInfo).toList();
        } catch (IllegalStateException e) {
            throw stopping(e);
        }
    }

    /**
     * The client's metadata or stores refused because it is shutting down: a store that is not available, answered
     * 503.
     */
    private static InvalidStateStoreException stopping(IllegalStateException e) {
        return new InvalidStateStoreException("The streams client cannot answer: " + e.getMessage(), e);
    }

    @Override
    public KeyState get(String key) {
        return allStores().get(key);
    }

    @Override
    public List<String> keys(int limit, long maxBytes) {
        try (KeyValueIterator<String, KeyState> all = allStores().all()) {
            return SeriesKeys.listed(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return all.hasNext();
                }

                @Override
                public String next() {
                    return all.next().key;
                }
            }, limit, maxBytes);
        }
    }

    /**
     * {@inheritDoc} 0 on a running instance whose running threads have no active task of the store's subtopology,
     * whose stores, standby copies at most, cannot be queried.
     */
    @Override
    public long approximateCount() {
        if (holdsNoActiveTask()) {
            return 0;
        }
        return allStores().approximateNumEntries();
    }

    /**
     * Whether the client runs, with every stream thread running, and none has an active task of the store's
     * subtopology. A thread that is starting (one replacing a failed one, say) has not been given its tasks yet, and
     * says nothing.
     */
    private boolean holdsNoActiveTask() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        Collection<ThreadMetadata> threads = streams.metadataForLocalThreads();
        // Checked again after reading the threads: a rebalance that began meanwhile may have taken their tasks away
        // for a moment, which says nothing of what the instance holds.
        return !threads.isEmpty()
                && threads.stream().allMatch(thread -> RUNNING_THREAD.equals(thread.threadState())
                        && thread.activeTasks().stream().noneMatch(task -> task.taskId().subtopology()
                                == storeSubtopology))
                && streams.state() == KafkaStreams.State.RUNNING;
    }

    private ReadOnlyKeyValueStore<String, KeyState> allStores() {
        return store(StoreQueryParameters.fromNameAndType(GruStreamTopology.STATE_STORE,
                QueryableStoreTypes.keyValueStore()));
    }

    private ReadOnlyKeyValueStore<String, KeyState> store(
            StoreQueryParameters<ReadOnlyKeyValueStore<String, KeyState>> parameters) {
        try {
            return streams.store(parameters);
        } catch (IllegalStateException e) {
            throw stopping(e);
        }
    }
}
