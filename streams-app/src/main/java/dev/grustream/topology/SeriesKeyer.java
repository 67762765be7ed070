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
 * keeps the input record's coordinates, own key and own timestamp in headers ({@link InputOrigin}). The repartition
 * record is stamped with the time the extractor gave it, which the broker accepts, while the forecaster judges the
 * observation as it came, as it does without the repartition: a value without an event time takes the record's
 * timestamp, and a dead letter is the record as it was sent, under its own key. Keys travel as the bytes they are, one
 * character per byte ({@link RecordKeyDeserializer#opaque()}), as the observations' keys are read where the value
 * names the series.
 *
 * <p>A record without a value goes on under its own key, or under an empty one where it has none (the repartition
 * drops records without a key): the forecaster dead-letters it as {@code null-value}, as it would anyway. The source
 * has refused a key longer than {@code input.max.key.bytes}, which the repartition topic's producer might refuse.
 *
 * <p>Kafka Streams creates one per task; not thread-safe.
 */
final class SeriesKeyer implements Processor<String, InboundObservation, String, InboundObservation> {
    private ProcessorContext<String, InboundObservation> context;

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
            key = record.key() != null ? record.key() : "";
        }
        if (observation != null) { // Stamped by the source's extractor.
            InputOrigin.addTimestampTo(headers, observation.recordTimestamp(-1));
        }
        RecordMetadata source = context.recordMetadata().orElseThrow();
        InputOrigin.addSourceTo(headers, source.topic(), source.partition(), source.offset(),
                record.key() == null ? null : RecordKeyDeserializer.opaqueBytes(record.key()));
        context.forward(record.withKey(key).withHeaders(headers));
    }
}
