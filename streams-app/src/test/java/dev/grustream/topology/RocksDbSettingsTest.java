package dev.grustream.topology;

import static dev.grustream.testing.TopologyHarness.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.model.RandomModels;
import dev.grustream.testing.SmallMemtables;
import dev.grustream.testing.TopologyHarness;
import java.math.BigInteger;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.Test;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.Status;

class RocksDbSettingsTest {
    private static final long MIB = 1024 * 1024;
    private static final GruModel MODEL = RandomModels.random(4, 1, 3);

    static {
        RocksDB.loadLibrary();
    }

    /** Options as Kafka Streams hands them to the setter: with a block-based table whose cache can be read back. */
    private static Options withTableSettings() {
        Options options = new Options();
        options.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
        return options;
    }

    @Test
    void theKeyStateStoreUsesTheSharedCacheOfTheBoundedSize() {
        try (TopologyHarness harness = new TopologyHarness(MODEL,
                Map.of(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES, String.valueOf(16 * MIB)))) {
            harness.send("k", NOW.toEpochMilli(), 1.0);

            assertThat(harness.storeMetric("block-cache-capacity")).isEqualTo(BigInteger.valueOf(16 * MIB));
        }
    }

    @Test
    void zeroLeavesEachStoreKafkaStreamsOwnCache() {
        try (TopologyHarness harness = new TopologyHarness(MODEL,
                Map.of(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES, "0"))) {
            harness.send("k", NOW.toEpochMilli(), 1.0);

            assertThat(harness.storeMetric("block-cache-capacity")).isEqualTo(BigInteger.valueOf(50 * MIB));
        }
    }

    @Test
    void storesShareOneCacheAndWriteBufferManager() {
        RocksDbSettings first = new RocksDbSettings();
        RocksDbSettings second = new RocksDbSettings();
        Map<String, Object> configs = Map.of(RocksDbSettings.MEMORY_BYTES, 4 * MIB);
        try (Options one = withTableSettings(); Options two = withTableSettings()) {
            first.setConfig("store-1", one, configs);
            second.setConfig("store-2", two, configs);

            assertThat(two.writeBufferManager()).isNotNull().isSameAs(one.writeBufferManager());
            assertThat(((BlockBasedTableConfigWithAccessibleCache) two.tableFormatConfig()).blockCache())
                    .isSameAs(((BlockBasedTableConfigWithAccessibleCache) one.tableFormatConfig()).blockCache());
            assertThat(((BlockBasedTableConfig) one.tableFormatConfig()).cacheIndexAndFilterBlocks()).isTrue();
            first.close("store-1", one);
            second.close("store-2", two);
        }
    }

    @Test
    void installingItKeepsTheUsersSetterForLater() {
        Properties properties = new Properties();
        properties.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, SmallMemtables.class);

        RocksDbSettings.install(properties, 0);

        assertThat(properties).containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                RocksDbSettings.class.getName()).containsEntry(RocksDbSettings.USER_CONFIG_SETTER,
                SmallMemtables.class.getName());
    }

    @Test
    void installingItTwiceChangesNothing() {
        Properties properties = new Properties();
        RocksDbSettings.install(properties, 0);
        Properties once = (Properties) properties.clone();

        RocksDbSettings.install(properties, 0);

        assertThat(properties).isEqualTo(once).doesNotContainKey(RocksDbSettings.USER_CONFIG_SETTER);
    }

    @Test
    void aUserSetterThatIsNotOneIsABadSetting() {
        Properties missing = new Properties();
        missing.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.NoSuchSetter");
        Properties wrongType = new Properties();
        wrongType.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, String.class.getName());

        assertThatThrownBy(() -> RocksDbSettings.install(missing, 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("com.example.NoSuchSetter").hasMessageContaining("no such class");
        assertThatThrownBy(() -> RocksDbSettings.install(wrongType, 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a org.apache.kafka.streams.state.RocksDBConfigSetter");
    }

    @Test
    void theUsersSetterStillApplies() {
        RocksDbSettings setter = new RocksDbSettings();
        try (Options options = new Options()) {
            setter.setConfig("store", options, Map.of(RocksDbSettings.USER_CONFIG_SETTER,
                    SmallMemtables.class.getName()));

            assertThat(options.writeBufferSize()).isEqualTo(64 * 1024);
            setter.close("store", options);
        }
    }

    @Test
    void aStoreDeclinesToWaitForRocksDbToRecoverFromAFullDisk() {
        RocksDbSettings setter = new RocksDbSettings();
        Status noSpace = new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device");
        try (Options options = new Options()) {
            setter.setConfig("store", options, Map.of());
            AbstractEventListener listener = options.listeners().get(0);

            assertThat(listener.onErrorRecoveryBegin(BackgroundErrorReason.FLUSH, noSpace)).isFalse();
            setter.close("store", options);
        }
    }
}
