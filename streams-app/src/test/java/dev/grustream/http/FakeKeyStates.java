package dev.grustream.http;

import dev.grustream.forecast.KeyState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/** Key states held in a map, with a state and an owner per key set by the test. */
final class FakeKeyStates implements KeyStateSource {
    final Map<String, KeyState> states = new ConcurrentHashMap<>();
    volatile KafkaStreams.State state = KafkaStreams.State.RUNNING;
    volatile boolean hasRun;
    volatile boolean caughtUp = true;
    volatile Function<String, Optional<HostInfo>> owner;
    volatile List<HostInfo> instances = List.of();
    /** Reads of a key's state, so that a test can tell whether this instance was asked. */
    final AtomicInteger reads = new AtomicInteger();
    /** Stores being restored or moved: reads fail as Kafka Streams' do then. */
    volatile boolean storesUnavailable;

    FakeKeyStates(HostInfo self) {
        this.owner = key -> Optional.of(self);
    }

    @Override
    public KafkaStreams.State state() {
        return state;
    }

    @Override
    public boolean hasRun() {
        return hasRun;
    }

    @Override
    public boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public Optional<HostInfo> locate(String key) {
        return owner.apply(key);
    }

    @Override
    public List<HostInfo> instances() {
        return instances;
    }

    @Override
    public KeyState get(String key) {
        reads.incrementAndGet();
        failIfUnavailable();
        return states.get(key);
    }

    @Override
    public List<String> keys(int limit, long maxBytes) {
        failIfUnavailable();
        return SeriesKeys.listed(states.keySet().stream().sorted().iterator(), limit, maxBytes);
    }

    @Override
    public long approximateCount() {
        failIfUnavailable();
        return states.size();
    }

    private void failIfUnavailable() {
        if (storesUnavailable) {
            throw new InvalidStateStoreException("The state store, key-states, may have migrated to another instance");
        }
    }
}
