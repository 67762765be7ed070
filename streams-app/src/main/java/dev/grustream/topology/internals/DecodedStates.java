package dev.grustream.topology.internals;

import dev.grustream.forecast.KeyState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task's most recently used key states, kept decoded between batches so that a key seen again skips the store's
 * read and the decode of about 4 KiB of state. The store stays the truth: every state put here was first written
 * to the store, so a lost entry costs only a decode.
 *
 * <p>The states held are the objects the next batch mutates in place. Whoever owns this cache must therefore
 * {@link #clear()} it whenever its objects may differ from what the store holds: when a batch fails part way, and
 * when the task closes or is re-initialised (after an aborted transaction the store is rolled back, the cache would
 * not be).
 *
 * <p>Least-recently-used eviction from Java's {@link LinkedHashMap}. Not thread-safe: owned by one task's processor.
 */
public final class DecodedStates {
    private final int maxKeys;
    private final Map<String, KeyState> states;

    /** A cache of at most {@code maxKeys} states; 0 keeps none. */
    public DecodedStates(int maxKeys) {
        if (maxKeys < 0) {
            throw new IllegalArgumentException("maxKeys must not be negative, found " + maxKeys);
        }
        this.maxKeys = maxKeys;
        this.states = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, KeyState> eldest) {
                return size() > DecodedStates.this.maxKeys;
            }
        };
    }

    /** The cached state of {@code key}, or null if it is not cached. */
    public KeyState get(String key) {
        return states.get(key);
    }

    /** Caches the states just written to the store, evicting the least recently used beyond the limit. */
    public void putAll(Map<String, KeyState> written) {
        if (maxKeys > 0) {
            states.putAll(written);
        }
    }

    public void remove(String key) {
        states.remove(key);
    }

    public void clear() {
        states.clear();
    }

    public int size() {
        return states.size();
    }
}
