package dev.grustream.input;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the values of the observations topic in one format ({@code input.format}). A value it cannot read throws an
 * {@link InputException} saying why (or its own deserializer's exception), which the deserialization handler
 * dead-letters; a null value (a tombstone) reads as null.
 *
 * <p>Kafka Streams may call it from every stream thread: implementations are thread-safe.
 */
public interface ObservationReader extends Deserializer<InboundObservation> {
}
