package dev.grustream.topology;

import dev.grustream.input.InboundObservation;
import dev.grustream.input.RecordKeyDeserializer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Keys each observation by the series its value names, for the repartition topic of {@code input.repartition}, and
 * keeps the input record's coordinates and own timestamp in headers ({@link InputOrigin}): the repartition record is
 * stamped with the time the extractor gave it, which the broker accepts, while the forecaster judges the observation
 * by its own timestamp as it does without the repartition (a value without an event time takes it; a dead letter
 * carries it), and a dead letter names the record as it was sent. Keys travel as the bytes they are, one character per byte ({@link RecordKeyDeserializer#opaque()}), as
 * the observations' keys are read where the value names the series.
 *
 * <p>A record without a value goes on under its own key, or under an empty one where it has none (the repartition
 * drops records without a key) or one longer than {@code input.max.key.bytes} (which the producer might refuse): the
 * forecaster dead-letters it as {@code null-value}, as it would anyway.
 *
 * <p>Kafka Streams creates one per task; not thread-safe.
 */
final class SeriesKeyer implements Processor<String, InboundObservation, String, InboundObservation> {
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
            InputOrigin.addTimestampTo(headers, observation.recordTimestamp(-1));
        }
        RecordMetadata source = context.recordMetadata().orElseThrow();
        InputOrigin.addSourceTo(headers, source.topic(), source.partition(), source.offset());
        context.forward(record.withKey(key).withHeaders(headers));
    }
}
