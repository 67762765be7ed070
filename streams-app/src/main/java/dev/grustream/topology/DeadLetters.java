package dev.grustream.topology;

import dev.grustream.config.GruStreamConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The headers of a dead-letter record: why the record was rejected and where it was read from.
 *
 * <p>A dead-letter record is the rejected input record (key and value bytes, timestamp, original headers) plus these
 * headers; one refused by the forecasting core after buffering has the key and headers the buffer kept with it (its
 * series id as key when it had no key of its own). The source coordinates use the header names of Kafka Streams' own
 * dead-letter records, so tools that read those read ours.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeadLetters {
    /** Machine-readable reason, one of the {@link DeadLetterReason} codes. */
    public static final String REASON_HEADER = "gru.dead-letter.reason";
    /** Human-readable explanation: what was expected and what was found. */
    public static final String MESSAGE_HEADER = "gru.dead-letter.message";
    /** Topic the record was read from (Kafka Streams' header name). */
    public static final String TOPIC_HEADER = "__streams.errors.topic";
    /** Partition the record was read from (Kafka Streams' header name). */
    public static final String PARTITION_HEADER = "__streams.errors.partition";
    /** Offset the record was read from (Kafka Streams' header name). */
    public static final String OFFSET_HEADER = "__streams.errors.offset";
    /**
     * The most characters of a message the header keeps. Messages quote the bad input; a long string in a large
     * record would otherwise double the dead letter's size, past what the producer sends, and fail the task.
     */
    static final int MAX_MESSAGE_CHARS = 2_000;
    /**
     * Header of a dead letter whose value was cut to fit the producer: how many bytes the input's value had. The whole
     * value stays in the input topic, at the offset the source headers name.
     */
    public static final String VALUE_BYTES_HEADER = "gru.dead-letter.value-bytes";
    /**
     * Header of a dead letter whose key was cut to {@link #MAX_KEY_BYTES}: how many bytes the input's key had (a key
     * too large for the service can be as large as the topic's records).
     */
    public static final String KEY_BYTES_HEADER = "gru.dead-letter.key-bytes";
    /**
     * Header of a dead letter whose input headers were left out, too large to go with it: how many bytes they had.
     * They stay in the input topic, at the offset the source headers name.
     */
    public static final String HEADERS_BYTES_HEADER = "gru.dead-letter.headers-bytes";
    /** Room a dead letter keeps below the producer's {@code max.request.size} for its key, headers and framing. */
    static final int FRAMING_ROOM = 64 * 1024;
    /** The most key bytes a dead letter carries. */
    static final int MAX_KEY_BYTES = 16 * 1024;
    /** Room for the record's and its batch's framing and the size headers added here. */
    private static final int RECORD_FRAMING = 4 * 1024;
    /** The most bytes a header's framing takes in a record: the varint lengths of its key and value. */
    private static final int HEADER_FRAMING = 10;

    private DeadLetters() {
    }

    /** Where a long message is cut: at {@link #MAX_MESSAGE_CHARS}, or one before, not to split a surrogate pair. */
    private static int cut(String message) {
        return Character.isHighSurrogate(message.charAt(MAX_MESSAGE_CHARS - 1)) ? MAX_MESSAGE_CHARS - 1
                : MAX_MESSAGE_CHARS;
    }

    /** Returns a copy of {@code original} (may be null) with the dead-letter headers added. */
    public static Headers headers(Headers original, DeadLetterReason reason, String message, String topic,
            int partition, long offset) {
        RecordHeaders headers = original == null ? new RecordHeaders() : new RecordHeaders(original.toArray());
        headers.add(REASON_HEADER, utf8(reason.code()));
        headers.add(MESSAGE_HEADER, utf8(message.length() <= MAX_MESSAGE_CHARS ? message
                : message.substring(0, cut(message)) + "... (" + message.length() + " characters in all)"));
        headers.add(TOPIC_HEADER, utf8(String.valueOf(topic)));
        headers.add(PARTITION_HEADER, utf8(String.valueOf(partition)));
        headers.add(OFFSET_HEADER, utf8(String.valueOf(offset)));
        return headers;
    }

    /**
     * The most value bytes a dead letter carries under {@code configs}' producer settings: {@code max.request.size}
     * (also as {@code producer.max.request.size}; 1 MiB by default) less {@link #FRAMING_ROOM}. An input value can
     * be larger (a topic whose messages may be), and a dead letter the producer refuses fails the task at every retry:
     * one record would stop every instance that took its partition. Never more than that, however small the
     * requests: the settings' check keeps {@code max.request.size} above {@link #FRAMING_ROOM}.
     */
    static int maxValueBytes(Map<String, ?> configs) {
        return Math.max(GruStreamConfig.producerMaxRequestSize(configs) - FRAMING_ROOM, 0);
    }

    /** A dead letter's key, value and headers as it is sent. */
    record Fitted(byte[] key, byte[] value, Headers headers) {
    }

    /**
     * The timestamp of a dead letter of an input record stamped {@code input}, for a handler's dead letter: never
     * ahead of the wall clock, which the brokers check timestamps against (Kafka Streams creates the handlers by class
     * name, so no clock can be injected); null, for the producer's clock, where the input had none (-1, as message
     * format 0 wrote them), because a producer record refuses a negative timestamp and a handler that throws stops
     * the stream thread at this record.
     */
    static Long timestampOf(long input) {
        return input < 0 ? null : Math.min(input, System.currentTimeMillis());
    }

    /**
     * A dead letter's key and value cut, when needed, so that with {@code headers} the record fits the producer: the
     * key to its first {@link #MAX_KEY_BYTES} bytes, with a {@link #KEY_BYTES_HEADER}; the input's headers left out,
     * with a {@link #HEADERS_BYTES_HEADER}, when they take more than the whole record may (the dead letter's own
     * headers, from {@link #headers}, stay); the value to its first {@code maxValueBytes} bytes
     * ({@link #maxValueBytes}), fewer when the key and headers take more than the room kept for them, with a
     * {@link #VALUE_BYTES_HEADER}. An input record near the brokers' limit with a large key or large headers would
     * otherwise make a dead letter the producer refuses. Null stays null.
     *
     * @param headers the dead letter's headers ({@link #headers}), added to; the result's are these or, when the
     *     input's are left out, new ones
     */
    static Fitted fitted(byte[] key, byte[] value, int maxValueBytes, Headers headers) {
        byte[] fittedKey = key;
        if (key != null && key.length > MAX_KEY_BYTES) {
            headers.add(KEY_BYTES_HEADER, utf8(String.valueOf(key.length)));
            fittedKey = Arrays.copyOf(key, MAX_KEY_BYTES);
        }
        long budget = (long) maxValueBytes + FRAMING_ROOM - RECORD_FRAMING;
        long keyBytes = fittedKey == null ? 0 : fittedKey.length;
        Headers fittedHeaders = headers;
        if (keyBytes + bytes(headers) > budget) {
            fittedHeaders = withoutInputHeaders(headers, fittedKey != key);
        }
        long room = Math.min(maxValueBytes, budget - keyBytes - bytes(fittedHeaders));
        if (value == null || value.length <= room) {
            return new Fitted(fittedKey, value, fittedHeaders);
        }
        fittedHeaders.add(VALUE_BYTES_HEADER, utf8(String.valueOf(value.length)));
        return new Fitted(fittedKey, Arrays.copyOf(value, (int) Math.max(0, room)), fittedHeaders);
    }

    /**
     * New headers holding only the dead letter's own, the last ones added to {@code headers} (with
     * {@link #KEY_BYTES_HEADER} when {@code keyCut}), and saying how many bytes the others had. Built anew rather
     * than removed from: removing a record's headers name by name takes time growing with the square of their number,
     * tens of seconds for a record of 100,000 names, longer than a transaction may stay open.
     */
    private static Headers withoutInputHeaders(Headers headers, boolean keyCut) {
        List<String> ownNames = new ArrayList<>(List.of(REASON_HEADER, MESSAGE_HEADER, TOPIC_HEADER, PARTITION_HEADER,
                OFFSET_HEADER));
        if (keyCut) {
            ownNames.add(KEY_BYTES_HEADER);
        }
        List<Header> own = ownNames.stream().map(headers::lastHeader).toList();
        long inputBytes = bytes(headers) - own.stream().mapToLong(DeadLetters::bytes).sum();
        RecordHeaders fitted = new RecordHeaders();
        own.forEach(fitted::add);
        fitted.add(HEADERS_BYTES_HEADER, utf8(String.valueOf(inputBytes)));
        return fitted;
    }

    /** The bytes {@code headers} take in a record, their framing included. */
    private static long bytes(Headers headers) {
        long bytes = 0;
        for (Header header : headers) {
            bytes += bytes(header);
        }
        return bytes;
    }

    private static long bytes(Header header) {
        return header.key().getBytes(StandardCharsets.UTF_8).length
                + (header.value() == null ? 0 : header.value().length) + HEADER_FRAMING;
    }

    /** The value of header {@code name} as UTF-8 text, or null when the record has no such header. */
    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * The dead-letter topic named by Kafka Streams' {@code errors.dead.letter.queue.topic.name} in {@code configs},
     * which gru-stream's exception handlers need.
     *
     * @throws ConfigException naming the key when it is missing
     */
    static String topicOf(Map<String, ?> configs, Class<?> handler) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic == null || topic.toString().isBlank()) {
            throw new ConfigException(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topic,
                    "is required by " + handler.getSimpleName());
        }
        return topic.toString();
    }

    /**
     * One line saying why {@code exception} happened, for a log line without its stack trace: the first of its chain
     * that is one of {@code reporters} (whose message says most: a registry client's names the addresses it tried),
     * else {@code exception} itself, then its root cause when that is another.
     */
    public static String causeLine(Throwable exception, Class<?>... reporters) {
        Throwable named = exception;
        search:
        for (Throwable t = exception; t != null; t = t.getCause()) {
            for (Class<?> reporter : reporters) {
                if (reporter.isInstance(t)) {
                    named = t;
                    break search;
                }
            }
        }
        Throwable root = exception;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == named ? named.toString() : named + ", caused by " + root;
    }

    /** Whether {@code exception} or one of its causes is a {@code type}: handlers judge a failure by its root. */
    static boolean causedBy(Throwable exception, Class<? extends Throwable> type) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
