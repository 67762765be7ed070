package dev.grustream.topology;

import dev.grustream.input.InboundObservation;
import dev.grustream.input.RecordKeyDeserializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Keys each observation by the series its value names, for the repartition topic of {@code input.repartition}, and
 * keeps the input record's own timestamp in a header ({@value #RECORD_TIMESTAMP_HEADER}): the repartition record is
 * stamped with the time the extractor gave it, which the broker accepts, while the forecaster judges the observation
 * by its own timestamp as it does without the repartition (a value without an event time takes it; a dead letter
 * carries it). Keys travel as the bytes they are, one character per byte ({@link RecordKeyDeserializer#opaque()}), as
 * the observations' keys are read where the value names the series.
 *
 * <p>A record without a value goes on under its own key, or under an empty one where it has none (the repartition
 * drops records without a key) or one longer than {@code input.max.key.bytes} (which the producer might refuse): the
 * forecaster dead-letters it as {@code null-value}, as it would anyway.
 *
 * <p>Kafka Streams creates one per task; not thread-safe.
 */
final class SeriesKeyer implements Processor<String, InboundObservation, String, InboundObservation> {
    /** The header that carries an observation's record timestamp through the repartition topic. */
    static final String RECORD_TIMESTAMP_HEADER = "gru.repartition.record-timestamp";

    private final int maxKeyBytes;
    private ProcessorContext<String, InboundObservation> context;

    SeriesKeyer(int maxKeyBytes) {
        this.maxKeyBytes = maxKeyBytes;
    }

    @Override
    public void init(ProcessorContext<String, InboundObservation> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, InboundObservation> record) {
        InboundObservation observation = record.value();
        Headers headers = new RecordHeaders(record.headers().toArray());
        String key;
        if (observation != null && observation.seriesKey() != null) {
            key = new String(observation.seriesKey().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        } else {
            key = record.key() != null && record.key().length() <= maxKeyBytes ? record.key() : "";
        }
        if (observation != null) { // Stamped by the source's extractor.
            headers.add(RECORD_TIMESTAMP_HEADER, ByteBuffer.allocate(Long.BYTES)
                    .putLong(observation.recordTimestamp(-1)).array());
        }
        context.forward(record.withKey(key).withHeaders(headers));
    }

    /**
     * Takes the record timestamp {@link SeriesKeyer} kept out of {@code headers}, or returns {@code otherwise} where
     * they hold none.
     */
    static long takeRecordTimestamp(Headers headers, long otherwise) {
        Header kept = headers.lastHeader(RECORD_TIMESTAMP_HEADER);
        if (kept == null) {
            return otherwise;
        }
        headers.remove(RECORD_TIMESTAMP_HEADER);
        return kept.value() != null && kept.value().length == Long.BYTES ? ByteBuffer.wrap(kept.value()).getLong()
                : otherwise;
    }
}
