package dev.grustream.input;

import dev.grustream.avro.Observation;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads values in gru-stream's own format ({@code input.format=avro}): an {@link Observation} in Avro through the
 * schema registry. The record key is the series; the observation carries its event time and features.
 *
 * <p>As thread-safe as the wrapped deserializer.
 */
public final class AvroObservationReader extends AvroValueReader {

    /**
     * @param observations the deserializer of the values: gru-stream's {@code SpecificAvroSerde}'s, or any that
     *     returns {@link Observation}s (Confluent's {@code KafkaAvroDeserializer} with {@code specific.avro.reader})
     */
    public AvroObservationReader(Deserializer<?> observations) {
        super(observations);
    }

    @Override
    InboundObservation read(Object value, byte[] data) {
        if (!(value instanceof Observation observation)) {
            throw new InputException(InputException.Reason.SCHEMA_MISMATCH, "the value is a "
                    + value.getClass().getName() + ", not an Observation; input.format=avro-generic reads other"
                    + " records");
        }
        return InboundObservation.timed(null, observation.getEventTime().toEpochMilli(), observation.getFeatures(),
                data);
    }
}
