package dev.grustream.input;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * An {@link ObservationReader} over a deserializer of Avro values: configures and closes it with itself, reads a
 * null value (a tombstone) as null, refuses bytes that decode to null (a value of Avro's {@code null} type) as a schema
 * mismatch, so that their dead letter keeps them, and leaves turning the decoded value into an observation to
 * {@link #read}. A value that does not decode throws the wrapped deserializer's exception, which the dead-letter
 * handler turns into a dead letter.
 *
 * <p>As thread-safe as the wrapped deserializer and {@link #read}.
 */
abstract class AvroValueReader implements ObservationReader {
    private final Deserializer<?> values;

    AvroValueReader(Deserializer<?> values) {
        this.values = Objects.requireNonNull(values, "values");
    }

    /**
     * The observation in a decoded value.
     *
     * @param data the value's bytes, which the observation keeps for its dead letter
     * @throws InputException if the value does not hold one
     */
    abstract InboundObservation read(Object value, byte[] data);

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        values.configure(configs, isKey);
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
        Object value;
        try {
            value = values.deserialize(topic, headers, data);
        } catch (StackOverflowError e) {
            // A value nested deeper than the stack (a recursive schema): gru-stream's own deserializer reports it,
            // another one set by input.value.deserializer may not, and an Error would end the stream thread.
            throw new InputException(InputException.Reason.UNDECODABLE, "the value is nested too deeply to read");
        }
        if (value == null) {
            throw new InputException(InputException.Reason.SCHEMA_MISMATCH, "the value's " + data.length
                    + " bytes decode to null (a value of Avro's null type), not an observation");
        }
        return read(value, data);
    }

    @Override
    public void close() {
        values.close();
    }
}
