package dev.grustream.serde;

import java.util.Map;
import java.util.Objects;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import dev.grustream.serde.internals.SchemaRegistryClients;

/**
 * A {@link Serde} for Avro records without generated classes, in Confluent's wire format, named after and
 * configured like Confluent's {@code io.confluent.kafka.streams.serdes.avro.GenericAvroSerde}. Records are read in
 * the writer's schema as {@link org.apache.avro.generic.GenericData.Record}s (logical types as their raw values,
 * e.g. timestamp-millis as a {@code long}).
 *
 * <p>Lifecycle: construct, {@link #configure(Map, boolean)} once, then use. The serializer and deserializer share
 * one registry client. Thread-safe: Kafka Streams may share the instance across stream threads.
 */
public final class GenericAvroSerde implements Serde<GenericRecord> {
    private final SchemaRegistryClient injectedClient;
    private final AvroSerializer serializer;
    private final Serializer<GenericRecord> typedSerializer;
    private final AvroDeserializer deserializer;
    private final Deserializer<GenericRecord> typedDeserializer;

    /** A serde with the registry given by the configuration. */
    public GenericAvroSerde() {
        this.injectedClient = null;
        this.serializer = new AvroSerializer();
        this.typedSerializer = Typed.serializer(serializer);
        this.deserializer = new AvroDeserializer(AvroDeserializer.Mode.GENERIC_RECORD, null, null);
        this.typedDeserializer = Typed.deserializer(deserializer, GenericRecord.class::cast);
    }

    /** A serde that uses {@code client} whatever the configuration says. */
    public GenericAvroSerde(SchemaRegistryClient client) {
        this.injectedClient = Objects.requireNonNull(client, "client");
        this.serializer = new AvroSerializer(client);
        this.typedSerializer = Typed.serializer(serializer);
        this.deserializer = new AvroDeserializer(AvroDeserializer.Mode.GENERIC_RECORD, null, client);
        this.typedDeserializer = Typed.deserializer(deserializer, GenericRecord.class::cast);
    }

    /**
     * Reads the {@link AvroSerdeConfig} keys from {@code configs} ({@code specific.avro.reader} is ignored: this serde
     * always reads GenericRecords).
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key of a missing or invalid value
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        SchemaRegistryClient client = injectedClient != null ? injectedClient : SchemaRegistryClients.create(config);
        serializer.configure(config, isKey, client);
        deserializer.configure(config, client, AvroDeserializer.keepsStringBytes(configs));
    }

    @Override
    public Serializer<GenericRecord> serializer() {
        return typedSerializer;
    }

    @Override
    public Deserializer<GenericRecord> deserializer() {
        return typedDeserializer;
    }
}
