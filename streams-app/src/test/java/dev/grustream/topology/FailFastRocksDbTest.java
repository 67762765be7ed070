package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.testing.SmallMemtables;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.Status;

class FailFastRocksDbTest {
    static {
        RocksDB.loadLibrary();
    }

    @Test
    void installingItKeepsTheUsersSetterForLater() {
        Properties properties = new Properties();
        properties.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, SmallMemtables.class);

        FailFastRocksDb.install(properties);

        assertThat(properties).containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                FailFastRocksDb.class.getName()).containsEntry(FailFastRocksDb.USER_CONFIG_SETTER,
                SmallMemtables.class.getName());
    }

    @Test
    void installingItTwiceChangesNothing() {
        Properties properties = new Properties();
        FailFastRocksDb.install(properties);
        Properties once = (Properties) properties.clone();

        FailFastRocksDb.install(properties);

        assertThat(properties).isEqualTo(once).doesNotContainKey(FailFastRocksDb.USER_CONFIG_SETTER);
    }

    @Test
    void aUserSetterThatIsNotOneIsABadSetting() {
        Properties missing = new Properties();
        missing.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.NoSuchSetter");
        Properties wrongType = new Properties();
        wrongType.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, String.class.getName());

        assertThatThrownBy(() -> FailFastRocksDb.install(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("com.example.NoSuchSetter").hasMessageContaining("no such class");
        assertThatThrownBy(() -> FailFastRocksDb.install(wrongType)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a org.apache.kafka.streams.state.RocksDBConfigSetter");
    }

    @Test
    void theUsersSetterStillApplies() {
        FailFastRocksDb setter = new FailFastRocksDb();
        try (Options options = new Options()) {
            setter.setConfig("store", options, Map.of(FailFastRocksDb.USER_CONFIG_SETTER,
                    SmallMemtables.class.getName()));

            assertThat(options.writeBufferSize()).isEqualTo(64 * 1024);
            setter.close("store", options);
        }
    }

    @Test
    void aStoreDeclinesToWaitForRocksDbToRecoverFromAFullDisk() {
        FailFastRocksDb setter = new FailFastRocksDb();
        Status noSpace = new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device");
        try (Options options = new Options()) {
            setter.setConfig("store", options, Map.of());
            AbstractEventListener listener = options.listeners().get(0);

            assertThat(listener.onErrorRecoveryBegin(BackgroundErrorReason.FLUSH, noSpace)).isFalse();
            setter.close("store", options);
        }
    }
}
