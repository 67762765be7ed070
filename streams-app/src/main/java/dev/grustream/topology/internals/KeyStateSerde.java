package dev.grustream.topology.internals;

import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The state store's serde of a key's {@link KeyState}: {@link KeyStateCodec}'s bytes.
 *
 * <p>Stateless and thread-safe: the store, standby restoration and interactive queries may share it.
 */
public final class KeyStateSerde implements Serde<KeyState> {

    @Override
    public Serializer<KeyState> serializer() {
        return (topic, state) -> state == null ? null : KeyStateCodec.encode(state);
    }

    @Override
    public Deserializer<KeyState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return KeyStateCodec.decode(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("Cannot read the stored state of a key: " + e.getMessage(), e);
            }
        };
    }
}
