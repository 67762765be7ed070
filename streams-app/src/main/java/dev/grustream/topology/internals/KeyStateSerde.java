package dev.grustream.topology.internals;

import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateCodec;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state store's serde of a key's {@link KeyState}: {@link KeyStateCodec}'s bytes.
 *
 * <p>Stored bytes that do not decode (corrupted, or written by a newer release before a rollback) read as no state,
 * with a warning: the key then starts afresh on its next observation and the TTL scan deletes it, where an exception
 * would fail the task on every retry and stop its partitions for good.
 *
 * <p>Stateless and thread-safe: the store, standby restoration and interactive queries may share it.
 */
public final class KeyStateSerde implements Serde<KeyState> {
    private static final Logger LOG = LoggerFactory.getLogger(KeyStateSerde.class);

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
            } catch (RuntimeException e) {
                // Whatever the bytes make the decoder throw: they are not a state this release can use.
                LOG.warn("A stored key state of {} bytes cannot be read and is taken as none: its key starts afresh"
                        + " ({})", bytes.length, e.toString());
                return null;
            }
        };
    }
}
