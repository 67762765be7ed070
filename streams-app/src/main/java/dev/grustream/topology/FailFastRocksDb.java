package dev.grustream.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.Options;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB settings every gru-stream store gets ({@code rocksdb.config.setter}): a store whose disk fails, a full
 * one above all, fails the write at hand instead of blocking it; then the user's own setter, if any, applies.
 *
 * <p>Left to itself, RocksDB answers a full disk by pausing: once a background flush or compaction meets
 * {@code ENOSPC} it waits for free space before it resumes them, and a write that finds the memtables full waits
 * with it, forever if nobody frees space. The stream thread would then hang inside a store write, neither processing
 * nor failing, and the instance would neither work nor stop. This setter declines RocksDB's automatic recovery (an
 * event listener, the hook RocksDB offers for it), so the waiting write returns the background error, the stream
 * thread fails with a {@link org.apache.kafka.streams.errors.ProcessorStateException}, and the instance stops with
 * that error (see {@code StreamThreadFailures}). Nothing is lost: the store's contents are in its changelog, and a
 * restarted instance restores them.
 *
 * <p>RocksJava 10.1 has no name for some of RocksDB's newer error reasons, among them a flush without a write-ahead
 * log, which is every flush of Kafka Streams: for those its callback proxy throws an {@code IllegalArgumentException}
 * (printed to stderr) before this listener runs, and the JNI call's result, false, declines the recovery all the
 * same. {@code StorageFailureIntegrationTest} fills a real disk to check the outcome.
 *
 * <p>Kafka Streams creates one instance per store it opens and closes it with the store; not thread-safe, which it
 * need not be.
 */
public final class FailFastRocksDb implements RocksDBConfigSetter {
    /** Where {@link #install} keeps the {@code rocksdb.config.setter} the user configured, to apply it after ours. */
    public static final String USER_CONFIG_SETTER = "gru.rocksdb.user.config.setter";

    private static final Logger LOG = LoggerFactory.getLogger(FailFastRocksDb.class);

    private NoWaitingForRecovery listener;
    private RocksDBConfigSetter userSetter;

    /**
     * Makes {@code properties} use this setter, keeping the one they named (a class or its name) to be applied after
     * it.
     *
     * @throws ConfigException if the named setter is not a {@link RocksDBConfigSetter} on the class path: said at
     *     start-up, as Kafka Streams would say it, rather than when the first store opens
     */
    public static void install(Properties properties) {
        Object user = properties.remove(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
        String userClass = user instanceof Class<?> type ? type.getName() : user == null ? "" : user.toString().trim();
        if (!userClass.isEmpty() && !userClass.equals(FailFastRocksDb.class.getName())) {
            setterClass(userClass);
            properties.put(USER_CONFIG_SETTER, userClass);
        }
        properties.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, FailFastRocksDb.class.getName());
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        listener = new NoWaitingForRecovery(storeName);
        List<AbstractEventListener> listeners = new ArrayList<>(options.listeners());
        listeners.add(listener);
        options.setListeners(listeners);
        Object user = configs.get(USER_CONFIG_SETTER);
        if (user != null) {
            userSetter = Utils.newInstance(setterClass(user.toString()));
            userSetter.setConfig(storeName, options, configs);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        if (userSetter != null) {
            userSetter.close(storeName, options);
        }
        // Safe before the store closes its database: the database holds a reference of its own to the listener.
        listener.close();
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
