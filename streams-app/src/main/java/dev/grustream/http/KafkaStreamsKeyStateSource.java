package dev.grustream.http;

import dev.grustream.forecast.KeyState;
import dev.grustream.topology.GruStreamTopology;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KeyStateSource} over a running {@link KafkaStreams} client: interactive queries of its
 * {@link GruStreamTopology#STATE_STORE} store.
 *
 * <p>Learns that the client has run through {@link #onStateChange}, which the owner of the client's one state
 * listener calls; from then on, until its stores have once been caught up, it measures their lag in a thread of its
 * own (a daemon that ends with each check). Thread-safe, as Kafka Streams' interactive queries are.
 */
public final class KafkaStreamsKeyStateSource implements KeyStateSource {
    /** A stream thread's state when it processes its tasks ({@code StreamThread.State}, internal, hence named). */
    private static final String RUNNING_THREAD = "RUNNING";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStreamsKeyStateSource.class);

    private final KafkaStreams streams;
    private final int storeSubtopology;
    private final Supplier<LongStream> offsetLags;
    private final long acceptableLag;
    private volatile boolean hasRun;
    private volatile boolean caughtUp;
    private final AtomicBoolean checking = new AtomicBoolean();
    private final Serializer<String> keySerializer = Serdes.String().serializer();

    /**
     * @param storeSubtopology the subtopology whose tasks hold the state store: the forecaster's
     *     ({@link GruStreamTopology#storeSubtopology}); with {@code input.repartition} the observations' source runs
     *     in tasks of another, which hold no key
     * @param acceptableLag the most records a local store partition may lack for the stores to be caught up:
     *     Kafka Streams' {@code acceptable.recovery.lag}
     */
    public KafkaStreamsKeyStateSource(KafkaStreams streams, int storeSubtopology, long acceptableLag) {
        this(streams, storeSubtopology, () -> streams.allLocalStorePartitionLags().values().stream()
                .flatMap(partitions -> partitions.values().stream()).mapToLong(LagInfo::offsetLag), acceptableLag);
    }

    /** With {@code offsetLags}, the lag of each local store partition, active or standby, in place of the client's. */
    KafkaStreamsKeyStateSource(KafkaStreams streams, int storeSubtopology, Supplier<LongStream> offsetLags,
            long acceptableLag) {
        this.streams = streams;
        this.storeSubtopology = storeSubtopology;
        this.offsetLags = offsetLags;
        // At least 1: under exactly-once a changelog's end counts the commit marker after a standby's last record,
        // so an acceptable.recovery.lag of 0 would never be met.
        this.acceptableLag = Math.max(acceptableLag, 1);
    }

    @Override
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public boolean hasRun() {
        return hasRun;
    }

    /**
     * {@inheritDoc} Each call on a client that has run and whose stores have not been caught up starts a check,
     * unless one is under way, and answers what the last one found.
     */
    @Override
    public boolean caughtUp() {
        if (hasRun && !caughtUp) {
            checkLags();
        }
        return caughtUp;
    }

    /** Notes a change of the client's state; call it from the client's state listener. */
    public void onStateChange(KafkaStreams.State newState) {
        if (newState == KafkaStreams.State.RUNNING) {
            hasRun = true;
            caughtUp();
        }
    }

    private void checkLags() {
        if (!checking.compareAndSet(false, true)) {
            return;
        }
        // Asking the brokers for the changelogs' ends may take up to the admin client's timeout: never on the thread
        // of a health check, nor on Kafka Streams' own.
        Thread check = new Thread(() -> {
            try {
                caughtUp = offsetLags.get().allMatch(lag -> lag <= acceptableLag);
            } catch (RuntimeException e) {
                LOG.debug("Could not measure the state stores' lag; asking again at the next readiness check", e);
            } finally {
                checking.set(false);
            }
        }, "gru-stream-store-lag");
        check.setDaemon(true);
        check.start();
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
