package dev.grustream.serde;

import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Typed views of the Object-valued {@link AvroSerializer} and {@link AvroDeserializer}, for the serdes' generic
 * signatures. Each view delegates everything, configure and close included, to the one it wraps; thread-safe as
 * that one is.
 */
final class Typed {
    private Typed() {
    }

    static <T> Serializer<T> serializer(AvroSerializer inner) {
        return new Serializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                inner.configure(configs, isKey);
            }

            @Override
            public byte[] serialize(String topic, T data) {
                return inner.serialize(topic, data);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    static <T> Deserializer<T> deserializer(AvroDeserializer inner, Function<Object, T> cast) {
        return new Deserializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                inner.configure(configs, isKey);
            }

            @Override
            public T deserialize(String topic, byte[] data) {
                return cast.apply(inner.deserialize(topic, data));
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] data) {
                return cast.apply(inner.deserialize(topic, headers, data));
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
