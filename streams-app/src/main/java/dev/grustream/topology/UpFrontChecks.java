package dev.grustream.topology;

import dev.grustream.input.InboundObservation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What the forecasting processor refuses before it reads a key's state or the model: a record without a series id or
 * a value, one too large (its key or series id beyond {@code input.max.key.bytes}, its value and headers together
 * beyond {@code input.max.value.bytes}: the batch buffer keeps all of them), and one whose event time is negative or
 * too far ahead of the clock. {@code train --from-topic} skips the same records, so that a model is trained on what
 * the service would have accepted.
 *
 * <p>Stateless and thread-safe.
 */
public final class UpFrontChecks {
    /**
     * What the batch buffer writes around each header beside its key and value: the key's length, whether there is a
     * value, the value's length (at most 5 + 1 + 5 bytes). Counted, so that a record of many empty headers, a few
     * hundred kilobytes in Kafka, is refused here rather than buffered into a changelog record the producer refuses,
     * failing its task at every retry.
     */
    private static final int HEADER_FRAMING = 11;

    private final int maxKeyBytes;
    private final int maxValueBytes;
    private final long futureToleranceMs;
    private final boolean seriesInValue;

    /** Why a record is refused, and what was expected and found. */
    public record Rejection(DeadLetterReason reason, String message) {
    }

    /** Why series id {@code key} is too long (beyond {@code maxKeyBytes} in UTF-8), or null when it is not. */
    static String tooLarge(String key, int maxKeyBytes) {
        int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
        return keyBytes <= maxKeyBytes ? null : "the key has " + keyBytes + " bytes; at most " + maxKeyBytes
                + " are accepted";
    }

    /**
     * Why a record key of {@code recordKeyBytes} bytes that names no series (input.key.fields) is too long, or null
     * when it is not.
     */
    static String recordKeyTooLarge(int recordKeyBytes, int maxKeyBytes) {
        return recordKeyBytes <= maxKeyBytes ? null : "the record key has " + recordKeyBytes + " bytes; at most "
                + maxKeyBytes + " are accepted";
    }

    /**
     * Why a value of {@code valueBytes} bytes with {@code headers} is too large to buffer (together beyond
     * {@code maxValueBytes}), or null when it is not.
     */
    static String tooLarge(int valueBytes, Headers headers, int maxValueBytes) {
        long headerBytes = 0;
        if (headers != null) {
            for (Header header : headers) {
                headerBytes += HEADER_FRAMING + header.key().getBytes(StandardCharsets.UTF_8).length
                        + (header.value() == null ? 0 : header.value().length);
            }
        }
        if (valueBytes + headerBytes <= maxValueBytes) {
            return null;
        }
        return "the value has " + valueBytes + " bytes"
                + (headerBytes == 0 ? "" : " and its headers " + headerBytes + " with their framing")
                + "; at most " + maxValueBytes + " are accepted" + (headerBytes == 0 ? "" : " together");
    }

    public UpFrontChecks(ForecasterSettings settings) {
        this.maxKeyBytes = settings.maxKeyBytes();
        this.maxValueBytes = settings.maxValueBytes();
        this.futureToleranceMs = settings.futureToleranceMs();
        this.seriesInValue = settings.seriesInValue();
    }

    /**
     * Judges a record of series {@code key} with its own key {@code recordKey}, its {@code headers} and its
     * {@code value} (null for a record without one) at wall-clock time {@code now}.
     *
     * @return why the service refuses it, or null when it goes on to the key's state
     */
    public Rejection check(String key, String recordKey, Headers headers, InboundObservation value, long now) {
        if (seriesInValue && value == null) {
            // With input.key.fields the value names the series: without one, the record has none, key or no key.
            return new Rejection(DeadLetterReason.NULL_VALUE, "the record has no value");
        }
        if (key == null) {
            return new Rejection(DeadLetterReason.NULL_KEY, "the record has no key; the key is the series id");
        }
        if (key.isEmpty()) {
            // Every producer that writes an empty key would share one series, which no query can name.
            return new Rejection(DeadLetterReason.NULL_KEY, "the record's key is empty; the key is the series id");
        }
        String keyTooLarge = tooLarge(key, maxKeyBytes);
        if (keyTooLarge != null) {
            return new Rejection(DeadLetterReason.KEY_TOO_LARGE, keyTooLarge);
        }
        if (recordKey != null && !recordKey.equals(key)) {
            // Only with input.key.fields does a record key differ from its series id; it then names no series and is
            // read one character per byte (RecordKeyDeserializer.opaque).
            String recordKeyTooLarge = recordKeyTooLarge(recordKey.length(), maxKeyBytes);
            if (recordKeyTooLarge != null) {
                return new Rejection(DeadLetterReason.KEY_TOO_LARGE, recordKeyTooLarge);
            }
        }
        if (value == null) {
            return new Rejection(DeadLetterReason.NULL_VALUE, "the record has no value");
        }
        String tooLarge = tooLarge(value.rawValue().length, headers, maxValueBytes);
        if (tooLarge != null) {
            return new Rejection(DeadLetterReason.VALUE_TOO_LARGE, tooLarge);
        }
        long eventTime = value.eventTime();
        if (eventTime < 0 && value.timedByRecord()) {
            // Kafka's "no timestamp": a producer of the message format before 0.10, or a client that wrote none.
            return new Rejection(DeadLetterReason.INVALID_TIME, "the record has no timestamp (" + eventTime
                    + ") and its value no event time; set input.time.field to the value's time field, or have the"
                    + " producer stamp its records");
        }
        if (eventTime < 0) {
            return new Rejection(DeadLetterReason.INVALID_TIME, "event time " + eventTime
                    + " is before 1970; event times must not be negative");
        }
        long ahead = eventTime - now;
        if (ahead > futureToleranceMs) {
            return new Rejection(DeadLetterReason.FUTURE, "event time " + Instant.ofEpochMilli(eventTime) + " is "
                    + ahead + " ms ahead of the clock, more than the tolerance of " + futureToleranceMs + " ms");
        }
        return null;
    }
}
