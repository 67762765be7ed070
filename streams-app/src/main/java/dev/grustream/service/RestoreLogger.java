package dev.grustream.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every restoration of a state store partition from its changelog: how many records it took and how long, so
 * that an operator can tell a takeover from a standby replica (a few records) from one that replays the whole
 * changelog. One line per partition, at INFO, when its restoration ends.
 *
 * <p>Thread-safe: Kafka Streams calls it from every stream thread.
 */
final class RestoreLogger implements StateRestoreListener {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreLogger.class);

    private final Map<TopicPartition, Long> started = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        started.put(partition, System.nanoTime());
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        // One line per partition at the end is enough.
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        Long start = started.remove(partition);
        LOG.info("Restored {} records of store {} from {} in {} ms", totalRestored, store, partition,
                start == null ? 0 : (System.nanoTime() - start) / 1_000_000);
    }
}
