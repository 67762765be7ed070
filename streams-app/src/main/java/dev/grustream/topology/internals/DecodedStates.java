package dev.grustream.topology.internals;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.grustream.forecast.KeyState;
import java.util.Map;

/**
 * A task's recently used key states, kept decoded between batches so that a key seen again skips the store's read
 * and the decode of about 4 KiB of state. The store stays the truth: every state put here was first written to the
 * store, so a lost entry costs only a decode.
 *
 * <p>The states held are the objects the next batch mutates in place. Whoever owns this cache must therefore
 * {@link #clear()} it whenever its objects may differ from what the store holds: when a batch fails part way, and
 * when the task closes or is re-initialised (after an aborted transaction the store is rolled back, the cache would
 * not be).
 *
 * <p>Bounded by Caffeine, whose admission policy (W-TinyLFU) keeps a stable share of the keys when more keys come in
 * turn than it holds, the usual pattern of series that report at a steady rate; a least-recently-used cache would
 * then evict every key just before it comes back. Maintenance runs on the calling thread, never in a pool.
 *
 * <p>Not thread-safe by contract: owned by one task's processor (Caffeine itself would allow more).
 */
public final class DecodedStates {
    private final Cache<String, KeyState> states;

    /** A cache of at most {@code maxKeys} states; 0 keeps none. */
    public DecodedStates(int maxKeys) {
        if (maxKeys < 0) {
            throw new IllegalArgumentException("maxKeys must not be negative, found " + maxKeys);
        }
        this.states = maxKeys == 0 ? null : Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .executor(Runnable::run)
                .build();
    }

    /** The cached state of {@code key}, or null if it is not cached. */
    public KeyState get(String key) {
        return states == null ? null : states.getIfPresent(key);
    }

    /** Caches the states just written to the store; beyond the limit, the cache's policy chooses what stays. */
    public void putAll(Map<String, KeyState> written) {
        if (states == null) {
            return;
        }
        written.forEach((key, state) -> {
            // A state read from here and changed in place is cached already: putting it again would cost the
            // policy's write bookkeeping for every hit (a twentieth of the stream thread in the benchmark).
            if (states.policy().getIfPresentQuietly(key) != state) {
                states.put(key, state);
            }
        });
    }

    public void remove(String key) {
        if (states != null) {
            states.invalidate(key);
        }
    }

    public void clear() {
        if (states != null) {
            states.invalidateAll();
        }
    }

    /** How many states are cached, after pending evictions have run. */
    public long size() {
        if (states == null) {
            return 0;
        }
        states.cleanUp();
        return states.estimatedSize();
    }
}
