package dev.grustream.topology.internals;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateCodec;
import java.util.Map;
import org.apache.kafka.streams.processor.TaskId;

/**
 * The key states an instance keeps decoded between batches, so that a key seen again skips the store's read and the
 * decode of about 4 KiB of state, within one bound in bytes shared by all of the instance's tasks: the heap it takes
 * does not grow with the tasks an instance is given (after a failover, say). Each task sees its own part through
 * {@link #of(TaskId)}; the store stays the truth: every state put here was first written to the store, so a lost entry
 * costs only a decode.
 *
 * <p>The states held are the objects the next batch mutates in place. Whoever owns a task's part must therefore
 * {@link Part#clear()} it whenever its objects may differ from what the store holds: when a batch fails part way, and
 * when the task closes or is re-initialised (after an aborted transaction the store is rolled back, the cache would
 * not be).
 *
 * <p>Bounded by Caffeine, whose admission policy (W-TinyLFU) keeps a stable share of the keys when more keys come in
 * turn than it holds, the usual pattern of series that report at a steady rate; a least-recently-used cache would
 * then evict every key just before it comes back. An entry weighs, roughly, its state's stored size
 * ({@link KeyStateCodec#expectedSize}) and three tenths more for what the heap adds (a learnt key of the bundled model,
 * 3,782 bytes stored, measured 5,015 bytes of heap decoded), plus {@value #ENTRY_BYTES} bytes for the key's record and
 * the cache's own node and two a character of the key, taken when it is put (a key may be up to
 * {@code input.max.key.bytes} long): a state changed in place keeps its weight until it is put anew (the event
 * times kept within {@code late.grace.ms}, up to 512 bytes, can grow meanwhile). Maintenance runs on the calling
 * thread, never in a pool.
 *
 * <p>One per Kafka Streams instance: {@link dev.grustream.topology.GruStreamTopology} makes one per topology, which
 * must therefore not be given to two instances in one JVM (their tasks have the same ids).
 *
 * <p>Thread-safe: the stream threads of an instance share it. A {@link Part} is its task's, used by one thread at a
 * time.
 */
public final class DecodedStates {
    /** What an entry costs beyond its state and its key's characters: the task-and-key record, Caffeine's node. */
    static final int ENTRY_BYTES = 256;

    private final Cache<TaskKey, KeyState> states;

    /** A cache of states weighing at most {@code maxBytes} in all; 0 keeps none. */
    public DecodedStates(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, found " + maxBytes);
        }
        this.states = maxBytes == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<TaskKey, KeyState>weigher((key, state) -> weight(key.key(), state))
                .executor(Runnable::run)
                .build();
    }

    /** The bytes of heap an entry holding {@code key}'s {@code state} is taken to hold. */
    static int weight(String key, KeyState state) {
        int stored = KeyStateCodec.expectedSize(state);
        return stored + stored * 3 / 10 + ENTRY_BYTES + 2 * key.length();
    }

    /** The part of {@code task}. */
    public Part of(TaskId task) {
        return new Part(task);
    }

    /** How many states are cached, over every task, after pending evictions have run. */
    public long size() {
        if (states == null) {
            return 0;
        }
        states.cleanUp();
        return states.estimatedSize();
    }

    private record TaskKey(TaskId task, String key) {
    }

    /** One task's decoded states. Not thread-safe: its task's processor owns it. */
    public final class Part {
        private final TaskId task;

        private Part(TaskId task) {
            this.task = task;
        }

        /** The cached state of {@code key}, or null if it is not cached. */
        public KeyState get(String key) {
            return states == null ? null : states.getIfPresent(new TaskKey(task, key));
        }

        /** Caches the states just written to the store; beyond the bound, the cache's policy chooses what stays. */
        public void putAll(Map<String, KeyState> written) {
            if (states == null) {
                return;
            }
            written.forEach((key, state) -> {
                TaskKey taskKey = new TaskKey(task, key);
                // A state read from here and changed in place is cached already: putting it again would cost the
                // policy's write bookkeeping for every hit (a twentieth of the stream thread in the benchmark).
                if (states.policy().getIfPresentQuietly(taskKey) != state) {
                    states.put(taskKey, state);
                }
            });
        }

        public void remove(String key) {
            if (states != null) {
                states.invalidate(new TaskKey(task, key));
            }
        }

        /** Forgets every state of this task, leaving other tasks' (a scan of the whole cache). */
        public void clear() {
            if (states != null) {
                states.asMap().keySet().removeIf(taskKey -> taskKey.task().equals(task));
            }
        }
    }
}
