package dev.grustream.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where a record the forecaster or a dead-letter handler reads came from: the input record's topic, partition, offset,
 * timestamp and key, and its own headers. A record read from the observations topic is its own origin. One read again
 * from {@code input.repartition}'s topic, keyed there by its series, names its origin in headers that
 * {@link SeriesKeyer} added ({@value #RECORD_TIMESTAMP_HEADER}, {@value #SOURCE_HEADER}, {@value #KEY_HEADER}), so
 * that a dead letter is the record a user sent, under its own key and pointing at its offset, not at an internal topic
 * whose records Kafka Streams purges; those headers (the last of each name) are left out of what the dead letter
 * carries. Earlier headers of those names, and any on a record read elsewhere, are the user's and are kept.
 *
 * <p>A {@link RecordMetadata}, so that the forecaster names a record's origin one way whether it came through the
 * repartition or not. Made for one record and dropped with it; not thread-safe: the key's bytes are not copied, and the
 * headers are a mutable copy of the record's, which the forecaster gives the record it goes on with.
 *
 * @param timestamp the input record's timestamp, or the read record's where the headers hold none
 * @param key the input record's key bytes (null for none), or the read record's where the headers hold none
 */
record InputOrigin(String topic, int partition, long offset, long timestamp, byte[] key, Headers headers)
        implements RecordMetadata {
    /** The header that carries an observation's record timestamp through the repartition topic. */
    static final String RECORD_TIMESTAMP_HEADER = "gru.repartition.record-timestamp";
    /** The header that carries an input record's partition, offset and topic through the repartition topic. */
    static final String SOURCE_HEADER = "gru.repartition.source";
    /** The header that carries an input record's own key through the repartition topic: null where it had none. */
    static final String KEY_HEADER = "gru.repartition.key";

    /**
     * The origin of a record read from {@code topic} at {@code partition} and {@code offset}, with {@code timestamp},
     * {@code key} and {@code headers} (not changed).
     */
    static InputOrigin of(String topic, int partition, long offset, long timestamp, byte[] key, Headers headers) {
        Header[] all = headers == null ? new Header[0] : headers.toArray();
        if (topic == null || !topic.endsWith("-" + GruStreamTopology.REPARTITION_TOPIC)) {
            return new InputOrigin(topic, partition, offset, timestamp, key, new RecordHeaders(all));
        }
        RecordHeaders copy = new RecordHeaders(all);
        Header stamp = copy.lastHeader(RECORD_TIMESTAMP_HEADER);
        if (stamp != null && stamp.value() != null && stamp.value().length == Long.BYTES) {
            timestamp = ByteBuffer.wrap(stamp.value()).getLong();
        }
        Header source = copy.lastHeader(SOURCE_HEADER);
        if (source != null && source.value() != null && source.value().length >= Integer.BYTES + Long.BYTES) {
            ByteBuffer bytes = ByteBuffer.wrap(source.value());
            partition = bytes.getInt();
            offset = bytes.getLong();
            topic = StandardCharsets.UTF_8.decode(bytes).toString();
        }
        Header ownKey = copy.lastHeader(KEY_HEADER);
        if (ownKey != null) {
            key = ownKey.value();
        }
        // SeriesKeyer added the last header of each name; earlier ones of those names are the input's own and stay.
        RecordHeaders own = new RecordHeaders();
        for (Header header : all) {
            if (header != stamp && header != source && header != ownKey) {
                own.add(header);
            }
        }
        return new InputOrigin(topic, partition, offset, timestamp, key, own);
    }

    /** Adds to {@code headers} the input record's timestamp, for {@link #of} to read back after the repartition. */
    static void addTimestampTo(Headers headers, long recordTimestamp) {
        headers.add(RECORD_TIMESTAMP_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(recordTimestamp).array());
    }

    /**
     * Adds to {@code headers} the input record's coordinates and key (null for none), for {@link #of} to read back
     * after the repartition.
     */
    static void addSourceTo(Headers headers, String topic, int partition, long offset, byte[] key) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        headers.add(SOURCE_HEADER, ByteBuffer.allocate(Integer.BYTES + Long.BYTES + name.length)
                .putInt(partition).putLong(offset).put(name).array());
        headers.add(KEY_HEADER, key);
    }
}
