package dev.grustream.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.Status;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB settings every gru-stream store gets ({@code rocksdb.config.setter}): the stores of one JVM share one
 * bounded piece of memory, a store whose disk fails, a full one above all, fails the write at hand instead of
 * blocking it, and then the user's own setter, if any, applies.
 *
 * <p>Memory: left to Kafka Streams' defaults, every store, standby copies included, takes a block cache of 50 MiB
 * and up to three memtables of 16 MiB, with its index and filter blocks beside them, so the memory outside the heap
 * grows with the partitions an instance holds, without bound. With {@code state.rocksdb.memory.bytes} above 0 every
 * store uses one shared LRU cache of that size, which holds the data blocks, the index and filter blocks (at high
 * priority, the top level pinned) and, charged to it by a shared write buffer manager, the memtables, which may take
 * at most half. RocksDB treats the bound as a target, not a hard limit (a memtable being written is not evicted).
 * This is the arrangement of Kafka Streams' memory management guide, written here because Kafka Streams offers the
 * hook and not the setter.
 *
 * <p>Disk failures: left to itself, RocksDB answers a full disk by pausing: once a background flush or compaction
 * meets {@code ENOSPC} it waits for free space before it resumes them, and a write that finds the memtables full
 * waits with it, forever if nobody frees space. The stream thread would then hang inside a store write, neither
 * processing nor failing, and the instance would neither work nor stop. This setter declines RocksDB's automatic
 * recovery (an event listener, the hook RocksDB offers for it), so the waiting write returns the background error,
 * the stream thread fails with a {@link org.apache.kafka.streams.errors.ProcessorStateException}, and the instance
 * stops with that error (see {@code StreamThreadFailures}). Nothing is lost: the store's contents are in its
 * changelog, and a restarted instance restores them.
 *
 * <p>RocksJava 10.1 has no name for some of RocksDB's newer error reasons, among them a flush without a write-ahead
 * log, which is every flush of Kafka Streams: for those its callback proxy throws an {@code IllegalArgumentException}
 * (printed to stderr) before this listener runs, and the JNI call's result, false, declines the recovery all the
 * same. {@code StorageFailureIntegrationTest} fills a real disk to check the outcome.
 *
 * <p>Kafka Streams creates one instance per store it opens and closes it with the store; an instance is not
 * thread-safe, which it need not be; the shared memory is.
 */
public final class RocksDbSettings implements RocksDBConfigSetter {
    /** Where {@link #install} keeps the {@code rocksdb.config.setter} the user configured, to apply it after ours. */
    public static final String USER_CONFIG_SETTER = "gru.rocksdb.user.config.setter";
    /** Where {@link #install} keeps the bytes the stores share ({@code state.rocksdb.memory.bytes}) when bounded. */
    public static final String MEMORY_BYTES = "gru.rocksdb.memory.bytes";

    private static final Logger LOG = LoggerFactory.getLogger(RocksDbSettings.class);

    private NoWaitingForRecovery listener;
    private RocksDBConfigSetter userSetter;

    /**
     * Makes {@code properties} use this setter, keeping the one they named (a class or its name) to be applied after
     * it, with the stores sharing {@code memoryBytes} of memory (0: each store takes Kafka Streams' own settings).
     *
     * @throws ConfigException if the named setter is not a {@link RocksDBConfigSetter} on the class path: said at
     *     start-up, as Kafka Streams would say it, rather than when the first store opens
     */
    public static void install(Properties properties, long memoryBytes) {
        if (memoryBytes > 0) {
            properties.put(MEMORY_BYTES, memoryBytes);
        } else {
            properties.remove(MEMORY_BYTES);
        }
        Object user = properties.remove(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
        String userClass = user instanceof Class<?> type ? type.getName() : user == null ? "" : user.toString().trim();
        if (!userClass.isEmpty() && !userClass.equals(RocksDbSettings.class.getName())) {
            setterClass(userClass);
            properties.put(USER_CONFIG_SETTER, userClass);
        }
        properties.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, RocksDbSettings.class.getName());
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        listener = new NoWaitingForRecovery(storeName);
        List<AbstractEventListener> listeners = new ArrayList<>(options.listeners());
        listeners.add(listener);
        options.setListeners(listeners);
        Object bytes = configs.get(MEMORY_BYTES);
        if (bytes != null) {
            SharedMemory.of(Long.parseLong(bytes.toString())).bound(storeName, options);
        }
        Object user = configs.get(USER_CONFIG_SETTER);
        if (user != null) {
            userSetter = Utils.newInstance(setterClass(user.toString()));
            userSetter.setConfig(storeName, options, configs);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        try {
            if (userSetter != null) {
                userSetter.close(storeName, options);
            }
        } finally {
            // Safe before the store closes its database: the database holds a reference of its own to the listener.
            listener.close();
        }
    }

    private static Class<? extends RocksDBConfigSetter> setterClass(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, true, Utils.getContextOrKafkaClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, className,
                    "no such class on the class path");
        }
        if (!RocksDBConfigSetter.class.isAssignableFrom(type)) {
            throw new ConfigException(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, className,
                    "not a " + RocksDBConfigSetter.class.getName());
        }
        return type.asSubclass(RocksDBConfigSetter.class);
    }

    /**
     * The block cache and write buffer manager the stores of one JVM share, one pair per size in use, kept for the
     * JVM's life: Kafka Streams does not close the setter of a store that fails to open, so the stores using a pair
     * cannot be counted out reliably, and a pair unused holds no more than the blocks it cached. Written by hand:
     * RocksJava offers the parts, and Kafka Streams only the hook to give them to each store.
     */
    static final class SharedMemory {
        /** The share of the cache kept for index and filter blocks, which RocksDB evicts last. */
        private static final double INDEX_AND_FILTER_SHARE = 0.2;
        private static final Map<Long, SharedMemory> BY_SIZE = new ConcurrentHashMap<>();

        private final LRUCache cache;
        private final WriteBufferManager writeBuffers;

        private SharedMemory(long bytes) {
            this.cache = new LRUCache(bytes, -1, false, INDEX_AND_FILTER_SHARE);
            this.writeBuffers = new WriteBufferManager(bytes / 2, cache);
        }

        static SharedMemory of(long bytes) {
            return BY_SIZE.computeIfAbsent(bytes, SharedMemory::new);
        }

        void bound(String storeName, Options options) {
            if (!(options.tableFormatConfig() instanceof BlockBasedTableConfig table)) {
                throw new IllegalStateException("Store " + storeName + " has no block-based table settings to share"
                        + " a block cache through");
            }
            table.setBlockCache(cache);
            table.setCacheIndexAndFilterBlocks(true);
            table.setCacheIndexAndFilterBlocksWithHighPriority(true);
            table.setPinTopLevelIndexAndFilter(true);
            options.setTableFormatConfig(table);
            options.setWriteBufferManager(writeBuffers);
        }
    }

    /** Logs a store's background errors and declines RocksDB's offer to wait for them to heal. */
    private static final class NoWaitingForRecovery extends AbstractEventListener {
        private final String storeName;

        NoWaitingForRecovery(String storeName) {
            super(EnabledEventCallback.ON_BACKGROUND_ERROR, EnabledEventCallback.ON_ERROR_RECOVERY_BEGIN);
            this.storeName = storeName;
        }

        @Override
        public void onBackgroundError(BackgroundErrorReason reason, Status error) {
            LOG.error("Store {}: RocksDB's background {} failed: {}", storeName, reason, describe(error));
        }

        @Override
        public boolean onErrorRecoveryBegin(BackgroundErrorReason reason, Status error) {
            LOG.error("Store {}: not waiting for RocksDB to recover from {}; its writes fail from now on and the"
                    + " stream thread stops", storeName, describe(error));
            return false;
        }

        private static String describe(Status error) {
            return error.getState() == null ? error.getCodeString() : error.getCodeString() + ": " + error.getState();
        }
    }
}
