package dev.grustream.topology;

import dev.grustream.input.InboundObservation;
import dev.grustream.input.InputException;
import dev.grustream.input.ObservationReader;
import dev.grustream.input.RecordKeyDeserializer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The observations' reader where {@code input.repartition} sends each record on through a repartition topic: a value
 * whose bytes and headers pass {@code input.max.value.bytes} ({@code value-too-large}; headers alone where there is
 * no value), or whose series id passes {@code input.max.key.bytes} ({@code key-too-large}), is refused as it is read,
 * from the observations topic, rather than sent on. The repartition topic's producer might refuse it (the
 * observations topic may take larger records than the producer's {@code max.request.size}), and a refused send fails
 * the task at every retry; what passes fits, as the settings' check at start-up makes sure.
 *
 * <p>{@link #keys} reads the keys of those records, with the same check of their length.
 *
 * <p>Thread-safe where the reader it wraps is. It leaves the reader open: the repartition topic's source reads with it
 * too.
 */
final class SizeCheckedReader implements ObservationReader {
    private final ObservationReader reader;
    private final int maxKeyBytes;
    private final int maxValueBytes;

    SizeCheckedReader(ObservationReader reader, int maxKeyBytes, int maxValueBytes) {
        this.reader = reader;
        this.maxKeyBytes = maxKeyBytes;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public InboundObservation deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public InboundObservation deserialize(String topic, Headers headers, byte[] data) {
        String tooLarge = UpFrontChecks.tooLarge(data == null ? 0 : data.length, headers, maxValueBytes);
        if (tooLarge != null) {
            throw new InputException(InputException.Reason.VALUE_TOO_LARGE, tooLarge);
        }
        InboundObservation observation = reader.deserialize(topic, headers, data);
        String keyTooLarge = observation == null || observation.seriesKey() == null ? null
                : UpFrontChecks.tooLarge(observation.seriesKey(), maxKeyBytes);
        if (keyTooLarge != null) {
            throw new InputException(InputException.Reason.KEY_TOO_LARGE, keyTooLarge);
        }
        return observation;
    }

    /**
     * The observations' keys where {@code input.repartition} sends each record on: read one character per byte
     * ({@link RecordKeyDeserializer#opaque()}), as keys that name no series are, and refused as they are read
     * ({@code key-too-large}) when longer than {@code maxKeyBytes}, for the same reason as a value too large. Stateless
     * and thread-safe.
     */
    static Deserializer<String> keys(int maxKeyBytes) {
        Deserializer<String> opaque = RecordKeyDeserializer.opaque();
        return (topic, key) -> {
            String tooLarge = key == null ? null : UpFrontChecks.recordKeyTooLarge(key.length, maxKeyBytes);
            if (tooLarge != null) {
                throw new InputException(InputException.Reason.KEY_TOO_LARGE, tooLarge);
            }
            return opaque.deserialize(topic, key);
        };
    }
}
