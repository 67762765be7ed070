package dev.grustream.topology;

import dev.grustream.input.InboundObservation;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Gives each input record its observation's event time, so that stream time, and with it idle-key eviction, follows
 * event time rather than arrival time; but never a time ahead of the wall clock.
 *
 * <p>The time given here stamps everything written while the record is processed, the state stores' changelog
 * records included, and brokers refuse a record stamped more than {@code log.message.timestamp.after.max.ms} (one
 * hour by default since Kafka 4.0) ahead of their clock: a refused changelog write fails the task again at every
 * retry. So an event time ahead of the clock (accepted up to {@code future.tolerance.ms}) counts as now.
 *
 * <p>A value that carries no event time ({@code input.format} json or avro-generic without {@code input.time.field})
 * takes the record's timestamp as its event time, judged by the same rules.
 *
 * <p>A record without a usable event time (beyond {@code future.tolerance.ms}, which the processor dead-letters as
 * {@code future}; negative; no value) gets the partition's time, which leaves stream time where it was: an event
 * time years ahead would otherwise carry stream time with it, and the next eviction scan would delete every key as
 * idle. A partition's very first record gets its Kafka timestamp if that is usable, else 0. No record gets a
 * negative time, because Kafka Streams silently drops such records.
 *
 * <p>Stateless and thread-safe.
 */
public final class EventTimeExtractor implements TimestampExtractor {
    private final Clock clock;
    private final long futureToleranceMs;

    /**
     * @param clock the wall clock event times are judged against
     * @param futureToleranceMs how far ahead of {@code clock} an event time may be ({@code future.tolerance.ms})
     */
    public EventTimeExtractor(Clock clock, long futureToleranceMs) {
        this.clock = clock;
        this.futureToleranceMs = futureToleranceMs;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long now = clock.millis();
        if (record.value() instanceof InboundObservation inbound) {
            // A value without an event time of its own (input.time.field unset) takes the record's timestamp.
            inbound.useRecordTimestamp(record.timestamp());
            long eventTime = inbound.eventTime();
            if (usable(eventTime, now)) {
                return Math.min(eventTime, now);
            }
        }
        if (partitionTime >= 0) {
            return partitionTime;
        }
        return usable(record.timestamp(), now) ? Math.min(record.timestamp(), now) : 0;
    }

    private boolean usable(long time, long now) {
        // Written so that a tolerance near Long.MAX_VALUE cannot overflow.
        return time >= 0 && time - now <= futureToleranceMs;
    }
}
