package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.input.InboundObservation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Which time each input record gets: its event time, but never one ahead of the clock or one it cannot have. */
class EventTimeExtractorTest {
    private static final long NOW = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();
    private static final long HOUR = 3_600_000;
    private static final long DAY = 24 * HOUR;
    private static final long PARTITION_TIME = NOW - 2 * HOUR;

    private final EventTimeExtractor extractor = new EventTimeExtractor(
            Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), DAY);

    @Test
    void aPastEventTimeIsTheRecordsTime() {
        assertThat(extractor.extract(record(NOW - 5 * DAY, NOW), PARTITION_TIME)).isEqualTo(NOW - 5 * DAY);
    }

    @Test
    void anEventTimeAheadOfTheClockWithinTheToleranceCountsAsNow() {
        assertThat(extractor.extract(record(NOW + 2 * HOUR, NOW), PARTITION_TIME)).isEqualTo(NOW);
    }

    @Test
    void anEventTimeBeyondTheToleranceLeavesStreamTimeWhereItWas() {
        assertThat(extractor.extract(record(NOW + 3_650 * DAY, NOW), PARTITION_TIME)).isEqualTo(PARTITION_TIME);
    }

    @Test
    void aNegativeEventTimeLeavesStreamTimeWhereItWas() {
        assertThat(extractor.extract(record(-5, NOW), PARTITION_TIME)).isEqualTo(PARTITION_TIME);
    }

    @Test
    void aTombstoneLeavesStreamTimeWhereItWas() {
        assertThat(extractor.extract(consumerRecord(null, NOW), PARTITION_TIME)).isEqualTo(PARTITION_TIME);
    }

    @Test
    void aPartitionsFirstRecordWithoutAUsableEventTimeGetsItsKafkaTimestamp() {
        assertThat(extractor.extract(record(NOW + 3_650 * DAY, NOW - HOUR), -1)).isEqualTo(NOW - HOUR);
    }

    @Test
    void aPartitionsFirstRecordWithNoUsableTimeAtAllGetsZero() {
        assertThat(extractor.extract(record(-5, NOW + 3_650 * DAY), -1)).isZero();
    }

    private static ConsumerRecord<Object, Object> record(long eventTime, long kafkaTimestamp) {
        return consumerRecord(InboundObservation.timed(null, eventTime, Map.of("value", 1.0), new byte[0]),
                kafkaTimestamp);
    }

    private static ConsumerRecord<Object, Object> consumerRecord(Object value, long kafkaTimestamp) {
        return new ConsumerRecord<>("observations", 0, 0, kafkaTimestamp, TimestampType.CREATE_TIME, 1, 0, "key",
                value, new RecordHeaders(), Optional.empty());
    }
}
