package dev.grustream.testing;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB settings ({@code rocksdb.config.setter}) with 64 KiB memtables, so that a store writes SST files to disk
 * after a few hundred kilobytes of updates rather than after Kafka Streams' 16 MiB: a test that fills a small disk
 * then needs little data. Nothing else changes; the writes are RocksDB's own.
 */
public final class SmallMemtables implements RocksDBConfigSetter {
    private static final long WRITE_BUFFER_BYTES = 64 * 1024;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing was allocated here.
    }
}
