package dev.grustream.topology;

import dev.grustream.avro.Observation;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an {@link InboundObservation}: decodes the value with the given Observation deserializer and keeps the
 * bytes beside it. A null value (a tombstone) reads as null; a value that does not decode throws the
 * deserializer's exception, which the {@link DeadLetterDeserializationHandler} dead-letters.
 *
 * <p>As thread-safe as the wrapped deserializer.
 */
public final class InboundObservationDeserializer implements Deserializer<InboundObservation> {
    private final Deserializer<Observation> observations;

    public InboundObservationDeserializer(Deserializer<Observation> observations) {
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
        Observation observation = observations.deserialize(topic, headers, data);
        return observation == null ? null : new InboundObservation(observation, data);
    }

    @Override
    public void close() {
        observations.close();
    }
}
