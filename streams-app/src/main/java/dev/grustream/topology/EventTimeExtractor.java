package dev.grustream.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Gives each input record its observation's event time, so that stream time, and with it idle-key eviction, follows
 * event time rather than arrival time.
 *
 * <p>It never returns a negative time, because Kafka Streams silently drops such records: a record without a usable
 * event time gets its Kafka timestamp (or the partition's time), and the processor dead-letters it.
 *
 * <p>Stateless and thread-safe.
 */
public final class EventTimeExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof InboundObservation inbound) {
            long eventTime = inbound.observation().getEventTime().toEpochMilli();
            if (eventTime >= 0) {
                return eventTime;
            }
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
    }
}
