package dev.grustream.input;

import java.util.Map;
import java.util.Objects;

/**
 * An observation as read from the input topic, whatever its format: the series it belongs to (when the value names
 * it), its event time (when the value carries one), its feature values, and the bytes it was read from, so that a
 * rejected observation can be dead-lettered exactly as it arrived.
 *
 * <p>Lifecycle: a reader creates it from one record's value; Kafka Streams' timestamp extractor gives it the record's
 * timestamp ({@link #useRecordTimestamp}) before any processor sees it, its event time when the value carries none
 * (read again from {@code input.repartition}'s topic, the forecaster gives it the timestamp the record came with).
 * Not thread-safe, like the record it travels in; the byte array and the map are not copied and must not change.
 */
public final class InboundObservation {
    private final String seriesKey;
    private final Map<String, Double> features;
    private final byte[] rawValue;
    private long eventTime;
    private boolean timed;
    private long recordTimestamp;
    private boolean stamped;
    private boolean timedByRecord;

    private InboundObservation(String seriesKey, boolean timed, long eventTime, Map<String, Double> features,
            byte[] rawValue) {
        this.seriesKey = seriesKey;
        this.timed = timed;
        this.eventTime = eventTime;
        this.features = Objects.requireNonNull(features, "features");
        this.rawValue = Objects.requireNonNull(rawValue, "rawValue");
    }

    /**
     * @param seriesKey the series the value names, or null when the record key is the series
     * @param eventTime the event time the value carries, in milliseconds since the epoch
     */
    public static InboundObservation timed(String seriesKey, long eventTime, Map<String, Double> features,
            byte[] rawValue) {
        return new InboundObservation(seriesKey, true, eventTime, features, rawValue);
    }

    /** An observation whose value carries no event time: the record's timestamp will be its event time. */
    public static InboundObservation untimed(String seriesKey, Map<String, Double> features, byte[] rawValue) {
        return new InboundObservation(seriesKey, false, 0, features, rawValue);
    }

    /** The series the value names, or null when the record key is the series. */
    public String seriesKey() {
        return seriesKey;
    }

    /** Whether the observation has an event time: its own, or the record timestamp it was given. */
    public boolean timed() {
        return timed;
    }

    /** The event time in milliseconds since the epoch; meaningful once {@link #timed()}. */
    public long eventTime() {
        return eventTime;
    }

    /**
     * Keeps the input record's own timestamp, which the extractor replaces with the event time (a dead letter keeps
     * the input's), and makes it the event time of an observation that carries none.
     */
    public void useRecordTimestamp(long recordTimestamp) {
        this.recordTimestamp = recordTimestamp;
        stamped = true;
        if (!timed) {
            eventTime = recordTimestamp;
            timed = true;
            timedByRecord = true;
        }
    }

    /** Whether the event time is the record's timestamp, the value carrying none. */
    public boolean timedByRecord() {
        return timedByRecord;
    }

    /**
     * The input record's own timestamp, as given to {@link #useRecordTimestamp}, else {@code otherwise} (also for a
     * negative one, which Kafka Streams refuses to write).
     */
    public long recordTimestamp(long otherwise) {
        return stamped && recordTimestamp >= 0 ? recordTimestamp : otherwise;
    }

    public Map<String, Double> features() {
        return features;
    }

    /** The record value exactly as read. */
    public byte[] rawValue() {
        return rawValue;
    }
}
