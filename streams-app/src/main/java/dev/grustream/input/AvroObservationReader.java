package dev.grustream.input;

import dev.grustream.avro.Observation;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads values in gru-stream's own format ({@code input.format=avro}): an {@link Observation} in Avro through the
 * schema registry. The record key is the series; the observation carries its event time and features. A null value
 * (a tombstone) reads as null; a value that does not decode throws the wrapped deserializer's exception, which the
 * dead-letter handler turns into a dead letter.
 *
 * <p>As thread-safe as the wrapped deserializer.
 */
public final class AvroObservationReader implements ObservationReader {
    private final Deserializer<?> observations;

    /**
     * @param observations the deserializer of the values: gru-stream's {@code SpecificAvroSerde}'s, or any that
     *     returns {@link Observation}s (Confluent's {@code KafkaAvroDeserializer} with {@code specific.avro.reader})
     */
    public AvroObservationReader(Deserializer<?> observations) {
        this.observations = Objects.requireNonNull(observations, "observations");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        observations.configure(configs, isKey);
    }

    @Override
    public InboundObservation deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public InboundObservation deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        Object value = observations.deserialize(topic, headers, data);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Observation observation)) {
            throw new InputException(InputException.Reason.SCHEMA_MISMATCH, "the value is a "
                    + value.getClass().getName() + ", not an Observation; input.format=avro-generic reads other"
                    + " records");
        }
        return InboundObservation.timed(null, observation.getEventTime().toEpochMilli(), observation.getFeatures(),
                data);
    }

    @Override
    public void close() {
        observations.close();
    }
}
