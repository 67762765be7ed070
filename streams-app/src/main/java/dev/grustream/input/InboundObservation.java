package dev.grustream.topology;

import dev.grustream.avro.Observation;
import java.util.Objects;

/**
 * An observation as read from the input topic: the decoded record together with the bytes it was decoded from,
 * so that a rejected observation can be dead-lettered exactly as it arrived.
 *
 * <p>Immutable by convention: the byte array is not copied and must not be changed.
 */
public final class InboundObservation {
    private final Observation observation;
    private final byte[] rawValue;

    public InboundObservation(Observation observation, byte[] rawValue) {
        this.observation = Objects.requireNonNull(observation, "observation");
        this.rawValue = Objects.requireNonNull(rawValue, "rawValue");
    }

    public Observation observation() {
        return observation;
    }

    /** The record value exactly as read. */
    public byte[] rawValue() {
        return rawValue;
    }
}
